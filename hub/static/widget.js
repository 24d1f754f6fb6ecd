/*
 * Mostrador website widget: a support chat for any web page, with one script tag.
 *
 *   <script src="https://hub.example/widget.js" defer
 *           data-hub-url="https://hub.example"   (default: where this script came from)
 *           data-lang="es"                       (es | en; default: <html lang>, else es)
 *           data-title="Tienda Sol"              (panel title)
 *           data-subtitle="..."                  (line under the title)
 *           data-color="#c2410c"                 (brand colour: launcher, header, own messages)
 *           data-text-color="#ffffff"             (text on the brand colour)
 *           data-email="ana@example.com"          (who the visitor is, when the site knows:
 *           data-name="Ana López"                  linked to their contact on other channels,
 *           data-phone="+34600111222"></script>    e.g. their WhatsApp number)
 *
 * A site that learns who its visitor is later (they log in) calls
 *   window.SupportWidget.identify({ email: 'ana@example.com', name: 'Ana López', phone: '+34600111222' })
 * (any of the three); the hub links this chat to the contact with that email or phone.
 *
 * It speaks Rasa's socket.io protocol (session_request/session_confirm, user_uttered,
 * bot_uttered) at <hub>/socket.io, plus the hub's events: message_received (receipt),
 * message_error, typing and session_history; it tells the hub when the visitor is typing
 * (user_typing, throttled) so an agent sees it. Plain ES2020, no dependencies, no build step:
 * the socket.io/Engine.IO v4 client below is websocket-only.
 *
 * Safety: message text is only ever set with textContent / text nodes; links are built
 * with DOM APIs, http(s) only, target=_blank rel="noopener noreferrer".
 */
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script || window.__mostradorWidget) return;
  window.__mostradorWidget = true;

  // ---------------------------------------------------------------- configuration
  var data = script.dataset;
  var hubUrl = (data.hubUrl || new URL(script.src, location.href).origin).replace(/\/+$/, '');
  var pageLang = (data.lang || document.documentElement.lang || 'es').toLowerCase();
  var lang = pageLang.indexOf('en') === 0 ? 'en' : 'es';

  var TEXT = {
    es: {
      title: 'Atención al cliente',
      subtitle: 'Te respondemos al momento',
      welcome: '¡Hola! ¿En qué podemos ayudarte?',
      open: 'Abrir el chat',
      close: 'Cerrar el chat',
      unread: function (n) { return n === 1 ? '1 mensaje nuevo' : n + ' mensajes nuevos'; },
      messages: 'Mensajes',
      label: 'Escribe tu mensaje',
      placeholder: 'Escribe tu mensaje…',
      send: 'Enviar',
      you: 'Tú',
      bot: 'Asistente',
      agent: 'Agente',
      replies: 'Respuestas sugeridas',
      typing: 'Escribiendo…',
      offline: 'Sin conexión. Tus mensajes se enviarán al recuperarla.',
      connecting: 'Conectando…',
      status: {
        pending: 'Pendiente de envío',
        sent: 'Enviado',
        received: 'Recibido',
        answered: 'Respondido',
        failed: 'No enviado'
      }
    },
    en: {
      title: 'Customer support',
      subtitle: 'We answer right away',
      welcome: 'Hi! How can we help you?',
      open: 'Open the chat',
      close: 'Close the chat',
      unread: function (n) { return n === 1 ? '1 new message' : n + ' new messages'; },
      messages: 'Messages',
      label: 'Type your message',
      placeholder: 'Type your message…',
      send: 'Send',
      you: 'You',
      bot: 'Assistant',
      agent: 'Agent',
      replies: 'Suggested replies',
      typing: 'Typing…',
      offline: 'You are offline. Your messages will be sent when you reconnect.',
      connecting: 'Connecting…',
      status: {
        pending: 'Waiting to be sent',
        sent: 'Sent',
        received: 'Received',
        answered: 'Answered',
        failed: 'Not sent'
      }
    }
  }[lang];

  // ---------------------------------------------------------------- storage
  var prefix = 'mostrador:' + hubUrl + ':';

  function load(key, fallback) {
    try {
      var raw = window.localStorage.getItem(prefix + key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem(prefix + key, JSON.stringify(value));
    } catch (e) { /* private mode or full: the widget still works for this page */ }
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }

  var state = {
    sessionId: load('session', null),
    confirmed: false,
    outbox: load('outbox', []), // [{cid, text, display}] sent but not yet acknowledged
    unread: load('unread', 0),
    open: load('open', false)
  };

  // ---------------------------------------------------------------- socket.io client
  // Engine.IO v4 packets: 0 open, 1 close, 2 ping, 3 pong, 4 message.
  // Socket.IO packets inside "4": 0 connect, 1 disconnect, 2 event, 4 connect error.
  function HubSocket(url, handlers) {
    this.url = url.replace(/^http/, 'ws') + '/socket.io/?EIO=4&transport=websocket';
    this.handlers = handlers;
    this.ws = null;
    this.connected = false;
    this.attempt = 0;
    this.retryTimer = null;
    this.aliveTimer = null;
  }

  HubSocket.prototype.connect = function () {
    if (this.ws || !navigator.onLine) return;
    clearTimeout(this.retryTimer);
    var self = this;
    var ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onmessage = function (e) { if (ws === self.ws) self._packet(String(e.data)); };
    ws.onclose = function () { self._closed(ws); };
    ws.onerror = function () { ws.close(); };
  };

  HubSocket.prototype.drop = function () {
    if (this.ws) this.ws.close();
    this._closed(this.ws);
  };

  HubSocket.prototype.emit = function (event, payload) {
    if (!this.connected) return false;
    this.ws.send('42' + JSON.stringify([event, payload]));
    return true;
  };

  HubSocket.prototype._alive = function (windowMs) {
    var self = this;
    clearTimeout(this.aliveTimer);
    this.aliveTimer = setTimeout(function () { self.drop(); }, windowMs);
  };

  HubSocket.prototype._packet = function (packet) {
    var type = packet.charAt(0);
    if (type === '0') {
      var open = JSON.parse(packet.slice(1));
      this.aliveWindow = (open.pingInterval || 25000) + (open.pingTimeout || 20000);
      this._alive(this.aliveWindow);
      this.ws.send('40');
    } else if (type === '2') {
      this.ws.send('3');
      this._alive(this.aliveWindow);
    } else if (type === '1') {
      this.drop();
    } else if (type === '4') {
      var kind = packet.charAt(1);
      if (kind === '0') {
        this.connected = true;
        this.attempt = 0;
        this.handlers.connect();
      } else if (kind === '2') {
        var event = JSON.parse(packet.slice(2).replace(/^\d+/, ''));
        this.handlers.event(event[0], event[1]);
      } else if (kind === '1' || kind === '4') {
        this.drop();
      }
    }
  };

  HubSocket.prototype._closed = function (ws) {
    if (!ws || ws !== this.ws) return;
    this.ws = null;
    clearTimeout(this.aliveTimer);
    var was = this.connected;
    this.connected = false;
    this.handlers.disconnect(was);
    if (!navigator.onLine) return; // the "online" event reconnects
    var self = this;
    var delay = Math.min(1000 * Math.pow(2, this.attempt), 15000) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.retryTimer = setTimeout(function () { self.connect(); }, delay);
  };

  // ---------------------------------------------------------------- DOM helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (name === 'text') node.textContent = value;
      else if (name === 'class') node.className = value;
      else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? '' : value);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function svg(path, size) {
    var ns = 'http://www.w3.org/2000/svg';
    var node = document.createElementNS(ns, 'svg');
    node.setAttribute('viewBox', '0 0 24 24');
    node.setAttribute('width', size);
    node.setAttribute('height', size);
    node.setAttribute('aria-hidden', 'true');
    node.setAttribute('focusable', 'false');
    var p = document.createElementNS(ns, 'path');
    p.setAttribute('d', path);
    p.setAttribute('fill', 'currentColor');
    node.appendChild(p);
    return node;
  }

  var ICON_CHAT = 'M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1L4 21.5l4.6-2.3c1.1.3 2.2.5 3.4.5 5.5 0 10-3.8 10-8.5S17.5 3 12 3z';
  var ICON_CLOSE = 'M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7l-1.4-1.4L9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z';
  var ICON_SEND = 'M3.4 20.4 21 12 3.4 3.6 3.4 10l12.6 2-12.6 2z';

  var LINK = /\bhttps?:\/\/[^\s<>"']+/gi;

  // Text with its http(s) links made clickable; never parsed as HTML.
  function richText(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    var match;
    LINK.lastIndex = 0;
    while ((match = LINK.exec(text)) !== null) {
      var url = match[0].replace(/[.,;:!?)\]}'"]+$/, '');
      var href = null;
      try {
        var parsed = new URL(url);
        if (parsed.protocol === 'http:' || parsed.protocol === 'https:') href = parsed.href;
      } catch (e) { href = null; }
      fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
      if (href) {
        fragment.appendChild(el('a', { href: href, target: '_blank', rel: 'noopener noreferrer', text: url }));
      } else {
        fragment.appendChild(document.createTextNode(url));
      }
      last = match.index + url.length;
      LINK.lastIndex = last;
    }
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  // ---------------------------------------------------------------- the widget's DOM
  var host = el('div', { id: 'mostrador-widget' });
  host.style.display = 'none'; // until its stylesheet has loaded
  host.style.setProperty('--mw-color', data.color || '#1f5fbf');
  host.style.setProperty('--mw-text', data.textColor || '#ffffff');
  var root = host.attachShadow({ mode: 'open' });
  var sheet = el('link', { rel: 'stylesheet', href: hubUrl + '/widget.css' });
  sheet.onload = sheet.onerror = function () { host.style.display = ''; };

  var badge = el('span', { class: 'mw-badge', 'aria-hidden': 'true', hidden: true });
  var launcher = el('button', {
    type: 'button', class: 'mw-launcher', 'aria-controls': 'mw-panel', 'aria-expanded': 'false'
  }, [svg(ICON_CHAT, 28), badge]);

  var title = data.title || TEXT.title;
  var closeButton = el('button', { type: 'button', class: 'mw-close', 'aria-label': TEXT.close, title: TEXT.close },
    [svg(ICON_CLOSE, 20)]);
  var connection = el('p', { class: 'mw-connection', role: 'status', hidden: true });
  var log = el('ol', {
    class: 'mw-log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': TEXT.messages
  });
  var typing = el('div', { class: 'mw-typing', hidden: true }, [
    el('span', { class: 'mw-dots', 'aria-hidden': 'true' }, [el('span'), el('span'), el('span')]),
    el('span', { class: 'mw-sr', text: TEXT.typing })
  ]);
  var replies = el('div', { class: 'mw-replies', role: 'group', 'aria-label': TEXT.replies, hidden: true });
  var input = el('input', {
    id: 'mw-input', class: 'mw-input', type: 'text', autocomplete: 'off', placeholder: TEXT.placeholder,
    maxlength: '4096', enterkeyhint: 'send'
  });
  var form = el('form', { class: 'mw-form' }, [
    el('label', { class: 'mw-sr', for: 'mw-input', text: TEXT.label }),
    input,
    el('button', { type: 'submit', class: 'mw-send', 'aria-label': TEXT.send, title: TEXT.send }, [svg(ICON_SEND, 20)])
  ]);
  var body = el('div', { class: 'mw-body' }, [el('p', { class: 'mw-welcome', text: TEXT.welcome }), log, typing]);
  var panel = el('section', { id: 'mw-panel', class: 'mw-panel', role: 'dialog', 'aria-label': title, hidden: true }, [
    el('header', { class: 'mw-header' }, [
      el('div', { class: 'mw-heading' }, [
        el('h2', { class: 'mw-title', text: title }),
        el('p', { class: 'mw-subtitle', text: data.subtitle || TEXT.subtitle })
      ]),
      closeButton
    ]),
    connection,
    body,
    replies,
    form
  ]);
  root.appendChild(sheet);
  root.appendChild(el('div', { class: 'mw', lang: lang }, [panel, launcher]));

  // ---------------------------------------------------------------- messages
  var incoming = {}; // client_message_id -> {node, status, id}
  var shown = {}; // hub message id of outgoing messages already on screen
  var payloadTitles = {}; // quick-reply payload -> title, to show titles in restored history

  function scrollDown() {
    body.scrollTop = body.scrollHeight;
  }

  function setStatus(cid, status) {
    var item = incoming[cid];
    if (!item) return;
    var order = ['pending', 'sent', 'received', 'answered'];
    if (status !== 'failed' && order.indexOf(status) < order.indexOf(item.status)) return;
    item.status = status;
    item.node.setAttribute('data-status', status);
    item.label.textContent = TEXT.status[status];
    item.mark.title = TEXT.status[status];
  }

  function showIncoming(cid, display, status, hubId) {
    if (incoming[cid]) {
      if (hubId) incoming[cid].id = hubId;
      setStatus(cid, status);
      return;
    }
    var label = el('span', { class: 'mw-sr', text: TEXT.status[status] });
    var mark = el('span', { class: 'mw-mark', 'aria-hidden': 'true', title: TEXT.status[status] });
    var node = el('li', { class: 'mw-msg mw-msg--in', 'data-status': status, 'data-cid': cid }, [
      el('span', { class: 'mw-sr', text: TEXT.you + ': ' }),
      el('div', { class: 'mw-bubble', text: display }),
      el('span', { class: 'mw-status' }, [mark, label])
    ]);
    incoming[cid] = { node: node, status: status, id: hubId || null, label: label, mark: mark };
    log.appendChild(node);
    scrollDown();
  }

  function showOutgoing(message) {
    if (message.id && shown[message.id]) return false;
    if (message.id) shown[message.id] = true;
    var kind = message.message_type === 'activity' || message.sender_type === 'system' ? 'system' : message.sender_type;
    var who = kind === 'agent' ? (message.sender_name || TEXT.agent) : TEXT.bot;
    var bubble = el('div', { class: 'mw-bubble' });
    bubble.appendChild(richText(String(message.text || '')));
    var node = el('li', { class: 'mw-msg mw-msg--' + (kind === 'system' ? 'system' : 'out'), 'data-sender': kind }, [
      kind === 'system' ? null : el('span', { class: 'mw-sr', text: who + ': ' }),
      bubble
    ]);
    if (message.text) log.appendChild(node);
    (message.buttons || []).forEach(function (b) { payloadTitles[b.payload] = b.title; });
    scrollDown();
    return true;
  }

  function answerAll() {
    Object.keys(incoming).forEach(function (cid) {
      if (incoming[cid].status === 'received') setStatus(cid, 'answered');
    });
  }

  function showReplies(buttons) {
    while (replies.firstChild) replies.removeChild(replies.firstChild);
    replies.hidden = !buttons || !buttons.length;
    (buttons || []).forEach(function (b) {
      var button = el('button', { type: 'button', class: 'mw-reply', text: b.title });
      button.addEventListener('click', function () {
        showReplies([]);
        send(b.payload, b.title);
        input.focus();
      });
      replies.appendChild(button);
    });
    scrollDown();
  }

  function buttonsOf(message) {
    return (message.quick_replies || message.buttons || []).map(function (b) {
      return { title: String(b.title), payload: String(b.payload) };
    });
  }

  function setUnread(count) {
    state.unread = count;
    save('unread', count);
    badge.textContent = count > 9 ? '9+' : String(count);
    badge.hidden = count === 0;
    var label = state.open ? TEXT.close : TEXT.open + ': ' + title;
    launcher.setAttribute('aria-label', count ? label + ' (' + TEXT.unread(count) + ')' : label);
  }

  // ---------------------------------------------------------------- sending
  function saveOutbox() {
    save('outbox', state.outbox);
  }

  function transmit(entry) {
    if (!state.confirmed) return;
    var sent = socket.emit('user_uttered', {
      message: entry.text,
      session_id: state.sessionId,
      client_message_id: entry.cid,
      metadata: { language: lang, page: location.href }
    });
    if (sent) {
      entry.sentAt = Date.now();
      setStatus(entry.cid, 'sent');
    }
  }

  // A message the hub has not acknowledged (it failed to store it) is sent again; the hub
  // deduplicates by client message id, so a late receipt never means a second copy.
  var RESEND_AFTER_MS = 15000;
  setInterval(function () {
    var now = Date.now();
    state.outbox.forEach(function (entry) {
      if (entry.sentAt && now - entry.sentAt > RESEND_AFTER_MS) transmit(entry);
    });
  }, RESEND_AFTER_MS / 3);

  function send(text, display) {
    var entry = { cid: newId(), text: text, display: display || text };
    state.outbox.push(entry);
    saveOutbox();
    showIncoming(entry.cid, entry.display, 'pending');
    transmit(entry);
  }

  // ---------------------------------------------------------------- the visitor is typing
  // "on" at most every TYPING_EVERY_MS while keys are pressed, "off" after TYPING_IDLE_MS
  // without a key or when the message is sent: an agent's console shows "typing…".
  var TYPING_EVERY_MS = 3000;
  var TYPING_IDLE_MS = 4000;
  var typingSentAt = 0;
  var typingIdle = null;

  function userTyping(on) {
    if (state.confirmed) socket.emit('user_typing', { session_id: state.sessionId, on: on });
  }

  function typingStopped() {
    clearTimeout(typingIdle);
    if (!typingSentAt) return;
    typingSentAt = 0;
    userTyping(false);
  }

  function keyPressed() {
    if (!input.value.trim()) {
      typingStopped();
      return;
    }
    var now = Date.now();
    if (now - typingSentAt > TYPING_EVERY_MS) {
      typingSentAt = now;
      userTyping(true);
    }
    clearTimeout(typingIdle);
    typingIdle = setTimeout(typingStopped, TYPING_IDLE_MS);
  }

  function acknowledged(cid) {
    state.outbox = state.outbox.filter(function (entry) { return entry.cid !== cid; });
    saveOutbox();
  }

  // ---------------------------------------------------------------- who the visitor is
  // Sent as socket.io "identify" after every session confirmation and at once when connected.
  var identity = {};

  function setIdentity(who) {
    ['email', 'name', 'phone'].forEach(function (key) {
      var value = who && who[key];
      if (typeof value === 'string' && value.trim()) identity[key] = value.trim();
    });
  }

  function sendIdentity() {
    if (!state.confirmed || !Object.keys(identity).length) return;
    var frame = { session_id: state.sessionId };
    Object.keys(identity).forEach(function (key) { frame[key] = identity[key]; });
    socket.emit('identify', frame);
  }

  setIdentity({ email: data.email, name: data.name, phone: data.phone });
  window.SupportWidget = window.SupportWidget || {};
  window.SupportWidget.identify = function (who) {
    setIdentity(who);
    sendIdentity();
  };

  // ---------------------------------------------------------------- hub events
  function restore(messages) {
    // Rebuild the conversation from the hub (quietly: screen readers heard it already).
    log.setAttribute('aria-live', 'off');
    while (log.firstChild) log.removeChild(log.firstChild);
    incoming = {};
    shown = {};
    var lastButtons = [];
    messages.forEach(function (message, index) {
      if (message.message_type === 'incoming') {
        var later = messages.slice(index + 1).some(function (m) { return m.message_type === 'outgoing'; });
        var cid = message.client_message_id || 'hub-' + message.id;
        showIncoming(cid, payloadTitles[message.text] || message.text, later ? 'answered' : 'received', message.id);
        acknowledged(cid);
        lastButtons = [];
      } else {
        showOutgoing(message);
        if (message.message_type === 'outgoing') lastButtons = buttonsOf(message);
      }
    });
    state.outbox.forEach(function (entry) {
      showIncoming(entry.cid, entry.display, 'pending');
    });
    showReplies(lastButtons);
    setTimeout(function () { log.setAttribute('aria-live', 'polite'); }, 0);
  }

  var on = {
    session_confirm: function (sessionId) {
      var id = typeof sessionId === 'string' ? sessionId : sessionId && sessionId.session_id;
      state.sessionId = id;
      save('session', id);
    },
    session_history: function (payload) {
      // Resend what the hub has not acknowledged only now, so the history cannot miss it.
      restore((payload && payload.messages) || []);
      state.confirmed = true;
      sendIdentity();
      state.outbox.forEach(transmit);
    },
    message_received: function (receipt) {
      acknowledged(receipt.client_message_id);
      if (incoming[receipt.client_message_id]) incoming[receipt.client_message_id].id = receipt.id;
      setStatus(receipt.client_message_id, 'received');
    },
    message_error: function (payload) {
      acknowledged(payload.client_message_id);
      setStatus(payload.client_message_id, 'failed');
    },
    typing: function (payload) {
      typing.hidden = !(payload && payload.on);
      if (!typing.hidden) scrollDown();
    },
    bot_uttered: function (message) {
      typing.hidden = true;
      if (!showOutgoing(message)) return;
      if (message.message_type !== 'activity') answerAll(); // "handed to a person" is no answer
      showReplies(buttonsOf(message));
      if (!state.open && message.text) setUnread(state.unread + 1);
    }
  };

  function showConnection() {
    if (!navigator.onLine) {
      connection.textContent = TEXT.offline;
      connection.hidden = false;
    } else if (!socket.connected) {
      connection.textContent = TEXT.connecting;
      connection.hidden = false;
    } else {
      connection.hidden = true;
    }
  }

  var socket = new HubSocket(hubUrl, {
    connect: function () {
      showConnection();
      socket.emit('session_request', { session_id: state.sessionId });
    },
    disconnect: function () {
      state.confirmed = false;
      typing.hidden = true;
      showConnection();
    },
    event: function (name, payload) {
      if (Object.prototype.hasOwnProperty.call(on, name)) on[name](payload);
    }
  });

  // ---------------------------------------------------------------- phones: full screen, keyboard
  // Below 480 px the open chat takes the screen (widget.css). The host follows the visual viewport, the
  // part of the page not under the on-screen keyboard: its height and top come from visualViewport on
  // every resize and scroll, the header goes compact while the keyboard takes the room (the viewport
  // well below its tallest at this width), and the last message is scrolled back into view.
  var phone = window.matchMedia ? window.matchMedia('(max-width: 479.98px)') : null;
  var tallest = { width: 0, height: 0 };
  var pageOverflow = null;

  function fitViewport() {
    var vv = window.visualViewport;
    var onPhone = !!(phone && phone.matches) && state.open;
    var height = vv ? vv.height : window.innerHeight;
    var width = vv ? vv.width : window.innerWidth;
    if (Math.abs(width - tallest.width) > 1) tallest = { width: width, height: height }; // turned, resized
    tallest.height = Math.max(tallest.height, height);
    host.style.setProperty('--mw-vh', height + 'px');
    host.style.setProperty('--mw-top', (vv ? vv.offsetTop : 0) + 'px');
    host.classList.toggle('mw-keyboard', onPhone && height < tallest.height * 0.8);
    // The page behind a full-screen chat does not scroll under the customer's thumb.
    if (onPhone && pageOverflow === null) {
      pageOverflow = document.documentElement.style.overflow;
      document.documentElement.style.overflow = 'hidden';
    } else if (!onPhone && pageOverflow !== null) {
      document.documentElement.style.overflow = pageOverflow;
      pageOverflow = null;
    }
    if (state.open) scrollDown();
  }

  if (window.visualViewport) {
    window.visualViewport.addEventListener('resize', fitViewport);
    window.visualViewport.addEventListener('scroll', fitViewport);
  }
  window.addEventListener('resize', fitViewport);
  input.addEventListener('focus', function () { setTimeout(fitViewport, 300); }); // after the keyboard rose

  // ---------------------------------------------------------------- open / close, keyboard
  function setOpen(open, focus) {
    state.open = open;
    save('open', open);
    host.classList.toggle('mw-open', open);
    fitViewport();
    panel.hidden = !open;
    launcher.setAttribute('aria-expanded', String(open));
    launcher.classList.toggle('mw-launcher--open', open);
    if (open) {
      setUnread(0);
      scrollDown();
      if (focus) input.focus();
    } else {
      setUnread(state.unread);
      if (focus) launcher.focus();
    }
  }

  launcher.addEventListener('click', function () { setOpen(!state.open, true); });
  closeButton.addEventListener('click', function () { setOpen(false, true); });
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      setOpen(false, true);
    }
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    typingStopped();
    showReplies([]);
    send(text);
  });
  input.addEventListener('input', keyPressed);

  window.addEventListener('offline', function () {
    socket.drop();
    showConnection();
  });
  window.addEventListener('online', function () {
    showConnection();
    socket.connect();
  });

  function start() {
    document.body.appendChild(host);
    setOpen(state.open, false);
    state.outbox.forEach(function (entry) { showIncoming(entry.cid, entry.display, 'pending'); });
    showConnection();
    socket.connect();
  }

  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start);
})();
