/*
 * Mostrador agent console (GET /agent): log in, follow the queue, claim, read the context, reply.
 *
 * It uses the agent API (/api/v1/agent, bearer token kept in sessionStorage), the agent websocket
 * (/api/v1/agent/ws: queue_changed, note) and one conversation websocket at a time
 * (/api/v1/conversations/{id}/ws?token=: message, typing, status). Plain ES2020, no build step.
 * Message text is only ever set with textContent: never parsed as HTML.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var i18n = app.i18n;
  var t = i18n.t;
  var el = app.dom.el;
  var clear = app.dom.clear;

  var TOKEN_KEY = 'mostrador-console:token';
  var TYPING_EVERY_MS = 3000; // "typing" again at most this often while keys are pressed
  var TYPING_IDLE_MS = 4000; // "stopped typing" after this long without a key
  var CUSTOMER_TYPING_MS = 8000; // hide the customer's "typing" if no refresh came

  function $(id) { return document.getElementById(id); }

  // Plug-ins hear when the desk starts (with the agent), when it stops (log out), every frame of the agent
  // socket, and a conversation's open, close and context (app.on / app.hooks: console-context.js).
  ['start', 'stop', 'frame'].forEach(function (name) { app.hooks[name] = app.hooks[name] || []; });
  var fire = app.emit;

  var state = {
    token: null,
    agent: null,
    queue: { waiting: [], mine: [] },
    queueAt: 0, // Date.now() when the queue was read: waiting times tick from there
    agentWs: null,
    agentWsAttempt: 0,
    conv: null // {id, ws, shown: {}, loaded, buffer, status, typingSentAt, typingIdle, customerTyping}
  };

  // ---------------------------------------------------------------- notices
  function errorText(err) {
    var known = t('errors')[err.code];
    if (known) return known;
    return t('errors').other + (err.message ? ': ' + err.message : '.');
  }

  function showBanner(text) {
    $('banner-text').textContent = text;
    $('banner').hidden = false;
  }

  function hideBanner() { $('banner').hidden = true; }

  // Live updates (the agent socket, the open conversation's socket) lost -> one line until both are back.
  var down = {};

  function setLive(which, ok) {
    if (ok) delete down[which];
    else down[which] = true;
    var line = $('connection');
    line.textContent = t('errors').live_lost;
    line.hidden = Object.keys(down).length === 0;
  }

  function announce(text) {
    var live = $('live');
    live.textContent = text;
    live.hidden = false;
  }

  // ---------------------------------------------------------------- HTTP
  function api(method, path, body) {
    var headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    return fetch('/api/v1/agent' + path, {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 204) return null;
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok) return data;
        var error = (data && data.error) || {};
        throw { code: error.code || 'http_' + response.status, message: error.message || '', status: response.status };
      });
    }, function () {
      throw { code: 'network', message: '' };
    });
  }

  // Every failed action ends here: an expired login goes back to the form, the rest is shown.
  function failed(err) {
    if (err && err.code === 'not_authenticated') {
      expire();
      return;
    }
    showBanner(errorText(err || {}));
  }

  // ---------------------------------------------------------------- log in / out
  function showLogin(message) {
    $('desk-view').hidden = true;
    $('me').hidden = true;
    $('login-view').hidden = false;
    var error = $('login-error');
    error.hidden = !message;
    error.textContent = message || '';
    $('email').focus();
  }

  function startDesk(agent) {
    state.agent = agent;
    $('login-view').hidden = true;
    $('desk-view').hidden = false;
    $('me').hidden = false;
    $('me-name').textContent = agent.name;
    $('reports-link').hidden = agent.role !== 'supervisor' && agent.role !== 'admin';
    $('gaps-link').hidden = $('reports-link').hidden;
    $('presence').value = agent.status;
    hideBanner();
    loadQueue();
    connectAgentWs();
    fire('start', agent);
    loadAgents();
    // /agent#conversation=ID (a link from the reports): open it
    var linked = /^#conversation=(\d+)$/.exec(window.location.hash);
    if (linked) openConversation(Number(linked[1]));
  }

  function forget() {
    fire('stop');
    closeConversation();
    state.token = null;
    state.agent = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing kept */ }
    if (state.agentWs) {
      var ws = state.agentWs;
      state.agentWs = null;
      ws.close();
    }
    setLive('agent', true);
  }

  function expire() {
    forget();
    hideBanner();
    showLogin(t('errors').not_authenticated);
  }

  $('login-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var email = $('email').value.trim();
    var password = $('password').value;
    if (!email || !password) {
      showLogin(t('errors').fill_login);
      return;
    }
    api('POST', '/login', { email: email, password: password }).then(function (login) {
      state.token = login.token;
      try { sessionStorage.setItem(TOKEN_KEY, login.token); } catch (e2) { /* this tab only */ }
      $('password').value = '';
      return api('PUT', '/me/status', { status: 'online' });
    }).then(startDesk, function (err) {
      if (err.code === 'invalid_credentials' || err.code === 'network') showLogin(errorText(err));
      else failed(err);
    });
  });

  $('logout').addEventListener('click', function () {
    var done = function () { forget(); showLogin(''); };
    api('POST', '/logout').then(done, done);
  });

  $('presence').addEventListener('change', function () {
    api('PUT', '/me/status', { status: $('presence').value }).then(function (agent) {
      state.agent = agent;
    }, failed);
  });

  // ---------------------------------------------------------------- the queue
  function duration(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var rest = s % 60;
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    if (h) return h + ' h ' + two(m) + ' min';
    if (m) return m + ' min ' + two(rest) + ' s';
    return rest + ' s';
  }

  function entryLine(entry) {
    return el('div', { class: 'q-meta' }, [
      el('span', { class: 'prio prio-' + entry.priority, text: t('priority')[entry.priority] || entry.priority }),
      el('span', { class: 'tag', text: (entry.language || '?').toUpperCase() }),
      el('span', { class: 'tag', text: entry.channel }),
      el('span', { class: 'tag tag-conv', text: t('conversation')(entry.conversation_id) })
    ].concat((entry.labels || []).map(function (label) { return el('span', { class: 'tag tag-label', text: label }); })));
  }

  function waitingItem(entry) {
    return el('li', { class: 'q-item', 'data-conversation': entry.conversation_id }, [
      el('div', { class: 'q-main' }, [
        el('span', { class: 'q-title', text: app.queueName(entry) }),
        el('span', { class: 'q-reason', 'data-reason': entry.reason, text: t('reasons')[entry.reason] || entry.reason }),
        entryLine(entry),
        el('span', { class: 'q-wait', 'data-since': String(entry.waiting_seconds) })
      ]),
      el('button', {
        type: 'button', class: 'btn btn-small', 'data-claim': entry.conversation_id,
        'aria-label': t('claim_label')(entry.conversation_id), text: t('claim')
      })
    ]);
  }

  function mineItem(entry) {
    var current = state.conv && state.conv.id === entry.conversation_id;
    return el('li', { class: 'q-item q-mine' + (current ? ' q-current' : ''), 'data-conversation': entry.conversation_id }, [
      el('button', {
        type: 'button', class: 'q-open', 'data-open': entry.conversation_id,
        'aria-label': t('open_label')(entry.conversation_id), 'aria-current': current ? 'true' : null
      }, [
        el('span', { class: 'q-title', text: app.queueName(entry) }),
        el('span', { class: 'q-reason', text: t('reasons')[entry.reason] || entry.reason }),
        entryLine(entry)
      ])
    ]);
  }

  function tick() {
    var elapsed = (Date.now() - state.queueAt) / 1000;
    Array.prototype.forEach.call(document.querySelectorAll('.q-wait'), function (node) {
      node.textContent = t('waited')(duration(Number(node.getAttribute('data-since')) + elapsed));
    });
  }

  function renderQueue() {
    var waiting = $('waiting');
    var mine = $('mine');
    var focused = document.activeElement && document.activeElement.getAttribute('data-claim');
    clear(waiting);
    clear(mine);
    state.queue.waiting.forEach(function (entry) { waiting.appendChild(waitingItem(entry)); });
    state.queue.mine.forEach(function (entry) { mine.appendChild(mineItem(entry)); });
    $('waiting-count').textContent = String(state.queue.waiting.length);
    $('mine-count').textContent = String(state.queue.mine.length);
    $('waiting-empty').hidden = state.queue.waiting.length > 0;
    $('mine-empty').hidden = state.queue.mine.length > 0;
    if (focused) {
      var again = waiting.querySelector('[data-claim="' + focused + '"]');
      if (again) again.focus();
    }
    tick();
    app.emit('queue');
  }

  var queueLoading = null;
  var queueAgain = false;

  function loadQueue() {
    if (queueLoading) {
      queueAgain = true; // a change arrived while reading: read once more after this one
      return queueLoading;
    }
    queueLoading = api('GET', '/queue').then(function (queue) {
      state.queue = queue;
      state.queueAt = Date.now();
      renderQueue();
    }, failed).then(function () {
      queueLoading = null;
      if (queueAgain) {
        queueAgain = false;
        loadQueue();
      }
    });
    return queueLoading;
  }

  function claimed(entry) {
    announce(t('done').claimed(entry.conversation_id));
    loadQueue();
    openConversation(entry.conversation_id);
  }

  $('waiting').addEventListener('click', function (e) {
    var button = e.target.closest('[data-claim]');
    if (!button) return;
    api('POST', '/conversations/' + button.getAttribute('data-claim') + '/claim').then(claimed, function (err) {
      failed(err);
      loadQueue();
    });
  });

  $('mine').addEventListener('click', function (e) {
    var button = e.target.closest('[data-open]');
    if (button) openConversation(Number(button.getAttribute('data-open')));
  });

  $('take-next').addEventListener('click', function () {
    api('POST', '/queue/claim').then(claimed, failed);
  });

  setInterval(tick, 1000);

  // ---------------------------------------------------------------- websockets
  function wsUrl(path) {
    return location.origin.replace(/^http/, 'ws') + path;
  }

  function retryDelay(attempt) {
    return Math.min(1000 * Math.pow(2, attempt), 15000);
  }

  function connectAgentWs() {
    if (!state.token || state.agentWs) return;
    var ws = new WebSocket(wsUrl('/api/v1/agent/ws?token=' + encodeURIComponent(state.token)));
    state.agentWs = ws;
    ws.onmessage = function (e) {
      var frame = JSON.parse(e.data);
      fire('frame', frame);
      if (frame.type === 'subscribed') {
        if (state.agentWsAttempt > 0) loadQueue(); // catch up on what changed while disconnected
        state.agentWsAttempt = 0;
        setLive('agent', true);
      } else if (frame.type === 'queue_changed') {
        loadQueue();
      } else if (frame.type === 'note' && state.conv && frame.note.conversation_id === state.conv.id) {
        addItem(noteItem(frame.note));
      }
    };
    ws.onclose = function (e) {
      if (state.agentWs !== ws) return; // logged out
      state.agentWs = null;
      if (e.code === 4401) {
        expire();
        return;
      }
      setLive('agent', false);
      var delay = retryDelay(state.agentWsAttempt);
      state.agentWsAttempt += 1;
      setTimeout(connectAgentWs, delay);
    };
  }

  // ---------------------------------------------------------------- the conversation
  var messageItem = app.transcript.messageItem;
  var noteItem = app.transcript.noteItem;
  // What the other modules use: the API, its errors, a fresh context, the agent logged in.
  app.actions = {
    api: api,
    failed: failed,
    reload: function () { if (state.conv) loadContext(state.conv); },
    showBanner: showBanner,
    announce: announce,
    loadQueue: function () { return loadQueue(); },
    open: function (id) { openConversation(id); },
    close: function () { closeConversation(); },
    current: function () { return state.conv ? state.conv.id : null; },
    agent: function () { return state.agent; }
  };
  app.transcript.followEnd($('transcript'));

  function addItem(item) {
    var conv = state.conv;
    if (!conv || conv.shown[item.key]) return;
    if (!conv.loaded) {
      conv.buffer.push(item); // shown after the context's transcript, in order
      return;
    }
    conv.shown[item.key] = true;
    var log = $('transcript');
    log.appendChild(item.node);
    log.scrollTop = log.scrollHeight;
  }

  function setStatus(status) {
    var conv = state.conv;
    conv.status = status;
    var pill = $('conv-status');
    pill.textContent = t('conv_status')[status] || status;
    pill.setAttribute('data-status', status);
    var mine = status === 'open';
    ['reply', 'resolve', 'hand-back', 'note'].forEach(function (id) { $(id).disabled = !mine; });
    $('transfer-box').hidden = !mine;
    if (!mine) announce(t('done').ended);
  }

  function customerTyping(on) {
    var conv = state.conv;
    clearTimeout(conv.customerTyping);
    $('customer-typing').hidden = !on;
    if (on) conv.customerTyping = setTimeout(function () { $('customer-typing').hidden = true; }, CUSTOMER_TYPING_MS);
  }

  function connectConversationWs(conv) {
    // Browsers cannot set headers on a websocket: the login token goes in the query.
    var path = '/api/v1/conversations/' + conv.id + '/ws?token=' + encodeURIComponent(state.token);
    var ws = new WebSocket(wsUrl(path));
    conv.ws = ws;
    ws.onmessage = function (e) {
      if (state.conv !== conv) return;
      var frame = JSON.parse(e.data);
      if (frame.type === 'subscribed') {
        if (conv.attempt > 0) loadContext(conv); // catch up on what was said meanwhile
        conv.attempt = 0;
        setLive('conversation', true);
      } else if (frame.type === 'message') {
        if (frame.message.message_type === 'incoming') customerTyping(false);
        addItem(messageItem(frame.message));
      } else if (frame.type === 'typing' && frame.by === 'customer') {
        customerTyping(frame.on);
      } else if (frame.type === 'status') {
        setStatus(frame.conversation.status);
      }
    };
    ws.onclose = function (e) {
      if (state.conv !== conv) return;
      if (e.code === 4401) {
        expire();
        return;
      }
      setLive('conversation', false);
      conv.attempt = (conv.attempt || 0) + 1;
      setTimeout(function () { if (state.conv === conv) connectConversationWs(conv); }, retryDelay(conv.attempt));
    };
  }

  function loadContext(conv) {
    return api('GET', '/conversations/' + conv.id + '/context').then(function (ctx) {
      if (state.conv !== conv) return;
      var here = (ctx.transcript || []).filter(function (c) { return c.conversation_id === conv.id; })[0];
      var items = here ? here.messages.map(messageItem).concat((here.notes || []).map(noteItem)) : [];
      items = items.concat(conv.buffer);
      conv.buffer = [];
      items.sort(function (a, b) {
        var ta = app.dom.parseTime(a.at), tb = app.dom.parseTime(b.at);
        return (ta ? ta.getTime() : 0) - (tb ? tb.getTime() : 0);
      });
      var log = $('transcript');
      log.setAttribute('aria-live', 'off'); // the history is not news
      items.forEach(function (item) {
        if (conv.shown[item.key]) return;
        conv.shown[item.key] = true;
        log.appendChild(item.node);
      });
      log.scrollTop = log.scrollHeight;
      setTimeout(function () { log.setAttribute('aria-live', 'polite'); }, 0);
      conv.loaded = true;
      var title = t('conversation')(conv.id) + ' · ' + ctx.channel + ' · ' + (ctx.language || '?').toUpperCase();
      $('conv-title').textContent = title + ' · ' + app.customerName(ctx);
      setStatus(ctx.conversation.status);
      $('context').hidden = false;
      app.context.render($('context-body'), ctx, conv.id);
      app.emit('context', ctx, conv.id);
    }, failed);
  }

  function closeConversation() {
    var conv = state.conv;
    if (!conv) return;
    typingStopped(conv);
    clearTimeout(conv.customerTyping);
    state.conv = null;
    app.emit('close', conv);
    setLive('conversation', true);
    if (conv.ws) conv.ws.close();
    $('conv').hidden = true;
    $('context').hidden = true;
    $('conv-none').hidden = false;
  }

  function openConversation(id) {
    if (state.conv && state.conv.id === id) {
      $('reply').focus();
      return;
    }
    closeConversation();
    var conv = { id: id, ws: null, shown: {}, loaded: false, buffer: [], status: null, typingSentAt: 0, attempt: 0 };
    state.conv = conv;
    clear($('transcript'));
    clear($('context-body'));
    $('context-body').appendChild(el('p', { class: 'muted', text: t('loading') }));
    $('conv-title').textContent = t('conversation')(id);
    $('customer-typing').hidden = true;
    $('conv-none').hidden = true;
    $('conv').hidden = false;
    $('transfer-box').open = false;
    connectConversationWs(conv);
    app.emit('open', conv);
    loadContext(conv);
    renderQueue();
    $('reply').focus();
  }

  // ---------------------------------------------------------------- replying, typing
  function sendTyping(conv, on) {
    api('POST', '/conversations/' + conv.id + '/typing', { on: on }).catch(function () {
      /* a lost typing signal is not worth a banner */
    });
  }

  function typingStopped(conv) {
    clearTimeout(conv.typingIdle);
    if (!conv.typingSentAt) return;
    conv.typingSentAt = 0;
    if (conv.status === 'open') sendTyping(conv, false);
  }

  $('reply').addEventListener('input', function () {
    var conv = state.conv;
    if (!conv || conv.status !== 'open') return;
    if (!$('reply').value.trim()) {
      typingStopped(conv);
      return;
    }
    var now = Date.now();
    if (now - conv.typingSentAt > TYPING_EVERY_MS) {
      conv.typingSentAt = now;
      sendTyping(conv, true);
    }
    clearTimeout(conv.typingIdle);
    conv.typingIdle = setTimeout(function () { typingStopped(conv); }, TYPING_IDLE_MS);
  });

  // Leaving the page while typing: tell the customer, or they would see "typing" until the next message.
  window.addEventListener('pagehide', function () {
    var conv = state.conv;
    if (!conv || !conv.typingSentAt || !state.token) return;
    fetch('/api/v1/agent/conversations/' + conv.id + '/typing', {
      method: 'POST',
      keepalive: true,
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + state.token },
      body: JSON.stringify({ on: false })
    }).catch(function () { /* the page is going away */ });
  });

  $('reply').addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $('reply-form').requestSubmit();
    }
  });

  $('reply-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var conv = state.conv;
    var text = $('reply').value.trim();
    if (!conv || !text) return;
    typingStopped(conv);
    api('POST', '/conversations/' + conv.id + '/messages', { text: text }).then(function (message) {
      $('reply').value = '';
      addItem(messageItem(message));
    }, failed); // the text stays in the box to send again
  });

  $('note-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var conv = state.conv;
    var text = $('note').value.trim();
    if (!conv || !text) return;
    api('POST', '/conversations/' + conv.id + '/notes', { text: text }).then(function (note) {
      $('note').value = '';
      addItem(noteItem(note));
      announce(t('done').note);
    }, failed);
  });

  // ---------------------------------------------------------------- resolve, hand back, transfer
  function finished(conv, text) {
    announce(text);
    closeConversation();
    loadQueue();
    $('take-next').focus();
  }

  $('resolve').addEventListener('click', function () {
    var conv = state.conv;
    api('POST', '/conversations/' + conv.id + '/resolve').then(function () {
      finished(conv, t('done').resolved(conv.id));
    }, failed);
  });

  $('hand-back').addEventListener('click', function () {
    var conv = state.conv;
    api('POST', '/conversations/' + conv.id + '/hand-back').then(function () {
      finished(conv, t('done').handed_back(conv.id));
    }, failed);
  });

  function loadAgents() {
    api('GET', '/agents').then(function (agents) {
      var select = $('transfer-agent');
      clear(select);
      var others = agents.filter(function (a) { return !state.agent || a.id !== state.agent.id; });
      others.forEach(function (a) {
        select.appendChild(el('option', { value: a.id, text: a.name + ' (' + a.languages.join(', ') + ') · ' + t(a.status) }));
      });
      if (!others.length) select.appendChild(el('option', { value: '', text: t('no_agents') }));
    }, failed);
  }

  $('transfer-box').addEventListener('toggle', function () {
    if ($('transfer-box').open) loadAgents();
  });

  $('transfer-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var conv = state.conv;
    var target = $('transfer-form').querySelector('input[name=target]:checked').value;
    var body = { note: $('transfer-note').value.trim() || null };
    if (target === 'team') {
      body.team = $('transfer-team').value.trim();
      if (!body.team) {
        showBanner(t('errors').empty_team);
        return;
      }
    } else {
      body.agent_id = Number($('transfer-agent').value) || null;
      if (!body.agent_id) {
        showBanner(t('errors').agent_not_found);
        return;
      }
    }
    api('POST', '/conversations/' + conv.id + '/transfer', body).then(function () {
      $('transfer-note').value = '';
      finished(conv, t('done').transferred(conv.id));
    }, failed);
  });

  // ---------------------------------------------------------------- language, banner, start
  $('lang').addEventListener('change', function () {
    i18n.setLanguage($('lang').value);
    renderQueue();
    if (state.conv) {
      var conv = state.conv;
      closeConversation();
      openConversation(conv.id); // re-read: every label in the new language
    }
  });

  $('banner-close').addEventListener('click', hideBanner);

  function start() {
    i18n.apply();
    $('lang').value = i18n.language();
    try { state.token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { state.token = null; }
    if (!state.token) {
      showLogin('');
      return;
    }
    api('GET', '/me').then(startDesk, function (err) {
      if (err.code === 'not_authenticated') expire();
      else {
        showLogin('');
        failed(err);
      }
    });
  }

  start();
})();
