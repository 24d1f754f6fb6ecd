/*
 * Mostrador agent console: the agent's label on a customer turn the bot clarified or handed off, in the
 * context panel (issue 16): "Responde la FAQ…" (search the FAQ, pick one), "Ninguna FAQ lo cubre",
 * "No es una pregunta". One click, or two with the FAQ. The label shows with "Quitar" to take it back.
 * API: GET /api/v1/learning/faq?q=, PUT/DELETE /api/v1/learning/messages/{id}/label,
 * GET /api/v1/learning/conversations/{id}/labels (docs/learning.md). Text only through textContent.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var t = app.i18n.t;
  var el = app.dom.el;
  var clear = app.dom.clear;
  var TOKEN_KEY = 'mostrador-console:token';
  var labels = {}; // message id -> the label (a signal)
  // message id -> the FAQ search being typed: kept when the panel is drawn again (a new frame, the labels)
  var searching = {};

  app.i18n.extend({
    es: {
      reasons: { not_helpful: 'La respuesta del bot no le sirvió' },
      learn_title: '¿Lo responde una FAQ?',
      learn_faq: 'Responde la FAQ…',
      learn_no_faq: 'Ninguna FAQ lo cubre',
      learn_not_question: 'No es una pregunta',
      learn_search: 'Buscar en las FAQ',
      learn_none_found: 'Ninguna FAQ con esas palabras',
      learn_remove: 'Quitar',
      learn_done: { faq: function (id) { return 'Etiquetado: lo responde la FAQ «' + id + '»'; },
        no_faq: 'Etiquetado: ninguna FAQ lo cubre', not_question: 'Etiquetado: no es una pregunta' }
    },
    en: {
      reasons: { not_helpful: "The bot's answer did not help" },
      learn_title: 'Does an FAQ answer this?',
      learn_faq: 'FAQ answers it…',
      learn_no_faq: 'No FAQ covers it',
      learn_not_question: 'Not a question',
      learn_search: 'Search the FAQ',
      learn_none_found: 'No FAQ has those words',
      learn_remove: 'Remove',
      learn_done: { faq: function (id) { return 'Labelled: FAQ "' + id + '" answers it'; },
        no_faq: 'Labelled: no FAQ covers it', not_question: 'Labelled: not a question' }
    }
  });

  function call(method, path, body) {
    var headers = { Accept: 'application/json' };
    var token = null;
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch('/api/v1/learning' + path, {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) return null;
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) return data;
        var error = (data && data.error) || {};
        throw { code: error.code || 'http_' + response.status, message: error.message || '', status: response.status };
      });
    }, function () { throw { code: 'network', message: '' }; });
  }

  function failed(err) { if (app.actions) app.actions.failed(err); }

  function labelText(label) {
    var done = t('learn_done');
    return label.kind === 'faq' ? done.faq(label.expected) : done[label.kind];
  }

  function save(box, body) {
    var id = box.getAttribute('data-message-id');
    box.setAttribute('aria-busy', 'true');
    call('PUT', '/messages/' + id + '/label', body).then(function (label) {
      labels[id] = label;
      draw(box);
      if (app.actions) app.actions.announce(labelText(label));
    }, function (err) { box.removeAttribute('aria-busy'); failed(err); });
  }

  function remove(box) {
    var id = box.getAttribute('data-message-id');
    call('DELETE', '/messages/' + id + '/label').then(function () {
      delete labels[id];
      draw(box);
    }, failed);
  }

  // The FAQ search: type, pick a result (the second click).
  function search(box) {
    var id = box.getAttribute('data-message-id');
    var input = el('input', { type: 'search', class: 'learn-q', 'aria-label': t('learn_search'),
      placeholder: t('learn_search'), maxlength: '200' });
    input.value = searching[id] || '';
    var results = el('ul', { class: 'learn-results' });
    var timer = null;
    function run() {
      var lang = box.getAttribute('data-lang') || '';
      call('GET', '/faq?q=' + encodeURIComponent(input.value) + (lang ? '&lang=' + lang : '')).then(function (hits) {
        clear(results);
        if (!hits.length) results.appendChild(el('li', { class: 'muted', text: t('learn_none_found') }));
        hits.forEach(function (hit) {
          var pick = el('button', { type: 'button', class: 'btn btn-small learn-pick', 'data-entry-id': hit.id,
            text: hit.question + ' (' + hit.id + ')' });
          pick.addEventListener('click', function () { save(box, { label: 'faq', entry_id: hit.id }); });
          results.appendChild(el('li', {}, [pick]));
        });
      }, failed);
    }
    input.addEventListener('input', function () {
      searching[id] = input.value;
      clearTimeout(timer);
      timer = setTimeout(run, 200);
    });
    if (input.value) run();
    return el('div', { class: 'learn-search' }, [input, results]);
  }

  function draw(box) {
    var id = box.getAttribute('data-message-id');
    var active = document.activeElement;
    var hadFocus = !!(active && active.classList && active.classList.contains('learn-q') && box.contains(active));
    box.removeAttribute('aria-busy');
    clear(box);
    var label = labels[id];
    if (label) {
      delete searching[id];
      var undo = el('button', { type: 'button', class: 'btn btn-small learn-remove', text: t('learn_remove') });
      undo.addEventListener('click', function () { remove(box); });
      box.appendChild(el('p', { class: 'learn-label', 'data-kind': label.kind }, [labelText(label), ' ', undo]));
      return;
    }
    var faq = el('button', { type: 'button', class: 'btn btn-small learn-faq', text: t('learn_faq') });
    var none = el('button', { type: 'button', class: 'btn btn-small learn-no-faq', text: t('learn_no_faq') });
    var not = el('button', { type: 'button', class: 'btn btn-small learn-not-question', text: t('learn_not_question') });
    none.addEventListener('click', function () { save(box, { label: 'no_faq' }); });
    not.addEventListener('click', function () { save(box, { label: 'not_question' }); });
    function open(focus) {
      faq.disabled = true;
      var finder = search(box);
      box.appendChild(finder);
      if (focus) finder.querySelector('input').focus();
    }
    faq.addEventListener('click', function () { searching[id] = searching[id] || ''; open(true); });
    box.appendChild(el('p', { class: 'label', text: t('learn_title') }));
    box.appendChild(el('p', { class: 'learn-actions' }, [faq, ' ', none, ' ', not]));
    if (searching[id] !== undefined) open(hadFocus);
  }

  // Called by the context panel for each customer turn (console-context.js): a box for the turns the bot
  // did not answer from the FAQ (clarified, handed off, or not asked), filled once the labels are read.
  // A turn the bot answered has its box only when the customer said the answer did not help; an answer
  // to "¿Te ha servido?" ("👎 No", a typed "no") is not a question and has none (GET .../feedback). The
  // boxes wait hidden until that is known.
  var feedback = null; // {answers: {id: true}, notHelpful: {id: true}} of the open conversation
  function shown(box) {
    var id = box.getAttribute('data-message-id');
    if (feedback && feedback.answers[id]) { box.remove(); return; }
    box.hidden = !feedback || (box.getAttribute('data-answered') === 'yes' && !feedback.notHelpful[id]);
  }

  function turnLabels(turn) {
    var box = el('div', { class: 'learn', 'data-message-id': turn.message_id, 'data-lang': turn.language || '',
      'data-answered': turn.kb && turn.kb.decision === 'answer' ? 'yes' : 'no' });
    draw(box);
    shown(box);
    return box;
  }

  function each(fn) { Array.prototype.forEach.call(document.querySelectorAll('.learn[data-message-id]'), fn); }
  function ids(list) { var set = {}; list.forEach(function (id) { set[String(id)] = true; }); return set; }

  app.on('close', function () { searching = {}; feedback = null; });
  app.on('context', function (ctx, conversationId) {
    call('GET', '/conversations/' + conversationId + '/labels').then(function (rows) {
      labels = {};
      rows.forEach(function (row) { labels[String(row.message_id)] = row; });
      each(draw);
    }, function () { /* the context's own errors say enough */ });
    call('GET', '/conversations/' + conversationId + '/feedback').then(function (found) {
      feedback = { answers: ids(found.answers), notHelpful: ids(found.not_helpful) };
      each(shown);
    }, function () { feedback = { answers: {}, notHelpful: {} }; each(shown); });
  });

  app.learning = { turnLabels: turnLabels };
})();
