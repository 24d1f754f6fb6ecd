/*
 * Mostrador agent console: what a customer sent besides text (WhatsApp photos, voice notes, videos,
 * documents, stickers), under the message in the transcript.
 *
 * console-transcript.js asks app.media.view(message) for each message; one with a file gets a box:
 * a thumbnail (click: full size in a dialog), an audio or video player, or a download button, fetched
 * from GET /api/v1/messages/{id}/media with the agent's token (never in a URL) and shown from a blob:
 * URL. A file the hub did not keep shows why (too big, a type not kept, WhatsApp's error or timeout),
 * with "Reintentar" when asking WhatsApp again may work. Text only ever set with textContent.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var el = app.dom.el;
  var TOKEN_KEY = 'mostrador-console:token';
  var FILE_TYPES = { image: 1, sticker: 1, audio: 1, video: 1, document: 1 };

  var TEXT = {
    es: {
      loading: 'Cargando el archivo…',
      open_full: 'Ver la imagen a tamaño completo',
      close: 'Cerrar',
      download: function (name) { return 'Descargar ' + name; },
      retry: 'Reintentar',
      no_file: 'No tenemos el archivo. ',
      ask_again: ' Pide al cliente que lo reenvíe o lo describa.',
      why: {
        too_large: function (r) {
          return r.size ? 'Pesa ' + mb(r.size, 'es') + ' y el límite es ' + mb(r.limit, 'es') + '.'
            : 'Pasa del límite de ' + mb(r.limit, 'es') + '.';
        },
        type_not_allowed: function (r) { return 'Los archivos de tipo ' + (r.mime_type || '?') + ' no se guardan.'; },
        graph_error: function () { return 'WhatsApp no nos lo dio.'; },
        timeout: function () { return 'WhatsApp no lo entregó a tiempo.'; },
        network: function () { return 'No hay conexión con el servidor.'; }
      },
      kinds: { image: 'Imagen', sticker: 'Sticker', audio: 'Audio', video: 'Vídeo', document: 'Documento' }
    },
    en: {
      loading: 'Loading the file…',
      open_full: 'See the image full size',
      close: 'Close',
      download: function (name) { return 'Download ' + name; },
      retry: 'Try again',
      no_file: 'We do not have the file. ',
      ask_again: ' Ask the customer to send it again or describe it.',
      why: {
        too_large: function (r) {
          return r.size ? 'It is ' + mb(r.size, 'en') + ' and the limit is ' + mb(r.limit, 'en') + '.'
            : 'It is over the ' + mb(r.limit, 'en') + ' limit.';
        },
        type_not_allowed: function (r) { return 'Files of type ' + (r.mime_type || '?') + ' are not kept.'; },
        graph_error: function () { return 'WhatsApp would not give it to us.'; },
        timeout: function () { return 'WhatsApp did not hand it over in time.'; },
        network: function () { return 'No connection to the server.'; }
      },
      kinds: { image: 'Image', sticker: 'Sticker', audio: 'Audio', video: 'Video', document: 'Document' }
    }
  };

  function txt() { return TEXT[app.i18n.language()] || TEXT.es; }

  function mb(bytes, lang) {
    var value = (Number(bytes) || 0) / (1024 * 1024);
    var shown = value >= 10 ? String(Math.round(value)) : value.toFixed(1);
    return (lang === 'es' ? shown.replace('.', ',') : shown) + ' MB';
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  // The file as a blob, or {reason} why not.
  function fetchFile(id) {
    return fetch('/api/v1/messages/' + id + '/media', {
      headers: { Authorization: 'Bearer ' + (token() || '') }
    }).then(function (response) {
      if (response.ok) return response.blob().then(function (blob) { return { blob: blob }; });
      return response.json().catch(function () { return {}; }).then(function (data) {
        var error = (data && data.error) || {};
        return { reason: error.reason || { code: error.code || 'http_' + response.status, message: error.message } };
      });
    }, function () {
      return { reason: { code: 'network', retryable: true } };
    });
  }

  function whyText(reason) {
    var words = txt();
    var known = words.why[reason.code];
    return words.no_file + (known ? known(reason) : (reason.message || reason.code || '')) + words.ask_again;
  }

  var dialog = null;

  function showFull(url, alt) {
    if (!dialog) {
      dialog = el('dialog', { class: 'media-full', 'aria-label': txt().open_full });
      dialog.addEventListener('click', function (e) { if (e.target === dialog) dialog.close(); });
      document.body.appendChild(dialog);
    }
    while (dialog.firstChild) dialog.removeChild(dialog.firstChild);
    var close = el('button', { type: 'button', class: 'btn btn-small media-close', text: txt().close });
    close.addEventListener('click', function () { dialog.close(); });
    dialog.appendChild(close);
    dialog.appendChild(el('img', { src: url, alt: alt }));
    dialog.showModal();
    close.focus();
  }

  function filename(message) {
    var media = message.media;
    if (media.filename) return media.filename;
    var ext = String(media.mime_type || '').split('/')[1] || 'bin';
    return media.type + '-' + message.id + '.' + ext.split(';')[0];
  }

  function render(box, message, result) {
    while (box.firstChild) box.removeChild(box.firstChild);
    var media = message.media;
    var words = txt();
    if (result.reason) {
      box.setAttribute('data-state', 'failed');
      box.appendChild(el('p', { class: 'media-why', role: 'note', text: whyText(result.reason) }));
      if (result.reason.retryable) {
        var retry = el('button', { type: 'button', class: 'btn btn-small', text: words.retry });
        retry.addEventListener('click', function () { load(box, message); });
        box.appendChild(retry);
      }
      return;
    }
    box.setAttribute('data-state', 'stored');
    var url = URL.createObjectURL(result.blob);
    var label = (words.kinds[media.type] || media.type) + (media.caption ? ': ' + media.caption : '');
    if (media.type === 'image' || media.type === 'sticker') {
      var open = el('button', { type: 'button', class: 'media-thumb', 'aria-label': words.open_full }, [
        el('img', { src: url, alt: label })
      ]);
      open.addEventListener('click', function () { showFull(url, label); });
      box.appendChild(open);
    } else if (media.type === 'audio') {
      box.appendChild(el('audio', { controls: true, preload: 'metadata', src: url, 'aria-label': label }));
    } else if (media.type === 'video') {
      box.appendChild(el('video', { controls: true, preload: 'metadata', src: url, 'aria-label': label }));
    } else {
      box.appendChild(el('a', {
        class: 'btn btn-small media-download', href: url, download: filename(message), text: words.download(filename(message))
      }));
    }
  }

  function load(box, message) {
    box.setAttribute('data-state', 'loading');
    while (box.firstChild) box.removeChild(box.firstChild);
    box.appendChild(el('p', { class: 'muted', text: txt().loading }));
    fetchFile(message.id).then(function (result) { render(box, message, result); });
  }

  // The box under a message with a file (null for any other message).
  function view(message) {
    if (!message || !message.media || !FILE_TYPES[message.media.type]) return null;
    var box = el('div', { class: 'media', 'data-media': message.media.type });
    load(box, message);
    return box;
  }

  app.media = { view: view };
})();
