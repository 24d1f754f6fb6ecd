/*
 * Mostrador agent console: "who else is viewing". While a conversation is open the console says so
 * (POST /api/v1/agent/conversations/{id}/viewing, again every 15 s, and {on: false} on leaving); the
 * agents' websocket brings the others' {"type": "viewing"} frames. A viewer not heard of for 45 s has
 * left. Shown under the conversation's title and on its line in the queue.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var t = app.i18n.t;
  var el = app.dom.el;

  var EVERY_MS = 15000;
  var GONE_MS = 45000;

  app.i18n.extend({
    es: { viewing: function (names) { return 'También la está viendo: ' + names; } },
    en: { viewing: function (names) { return 'Also viewing: ' + names; } }
  });

  var me = null; // my agent id (the websocket's "subscribed" frame)
  var conv = null;
  var timer = null;
  var sentAt = 0;
  var viewers = {}; // conversation id -> {agent id: {name, until}}
  var line = el('p', { id: 'viewers', class: 'viewers', 'aria-live': 'polite', hidden: true });
  var bar = document.getElementById('conv-labels') || document.querySelector('#conv .conv-head');
  bar.parentNode.insertBefore(line, bar.nextSibling);

  function send(id, on) {
    if (on) sentAt = Date.now();
    app.actions.api('POST', '/conversations/' + id + '/viewing', { on: on }).catch(function () {
      /* presence is a courtesy: no banner */
    });
  }

  function names(id) {
    var now = Date.now();
    var here = viewers[id] || {};
    return Object.keys(here).filter(function (agentId) {
      if (here[agentId].until > now) return true;
      delete here[agentId];
      return false;
    }).map(function (agentId) { return here[agentId].name; });
  }

  function show() {
    var who = conv ? names(conv.id) : [];
    line.textContent = who.length ? '◉ ' + t('viewing')(who.join(', ')) : '';
    line.hidden = !who.length;
    Array.prototype.forEach.call(document.querySelectorAll('.q-item[data-conversation]'), function (item) {
      var others = names(Number(item.getAttribute('data-conversation')));
      var mark = item.querySelector('.q-viewers');
      if (!others.length) {
        if (mark) mark.remove();
        return;
      }
      if (!mark) {
        mark = el('span', { class: 'q-viewers' });
        (item.querySelector('.q-main, .q-open') || item).appendChild(mark);
      }
      mark.textContent = '◉ ' + others.join(', ');
    });
  }

  app.on('frame', function (frame) {
    if (frame.type === 'subscribed') {
      me = frame.agent_id;
      if (conv) send(conv.id, true); // back after a reconnect: say so again
      return;
    }
    if (frame.type !== 'viewing' || frame.agent_id === me) return;
    var here = viewers[frame.conversation_id] = viewers[frame.conversation_id] || {};
    if (frame.on) {
      var isNew = !here[frame.agent_id];
      here[frame.agent_id] = { name: frame.agent_name, until: Date.now() + GONE_MS };
      // Someone just arrived where I am: tell them now rather than at my next beat.
      if (isNew && conv && conv.id === frame.conversation_id && Date.now() - sentAt > 2000) send(conv.id, true);
    } else {
      delete here[frame.agent_id];
    }
    show();
  });

  app.on('open', function (opened) {
    conv = opened;
    send(opened.id, true);
    clearInterval(timer);
    timer = setInterval(function () { if (conv) send(conv.id, true); show(); }, EVERY_MS);
    show();
  });

  app.on('close', function (closed) {
    if (conv && closed && conv.id === closed.id) {
      send(closed.id, false);
      conv = null;
      clearInterval(timer);
    }
    show();
  });

  app.on('queue', show);

  window.addEventListener('pagehide', function () {
    var token = null;
    try { token = sessionStorage.getItem('mostrador-console:token'); } catch (e) { token = null; }
    if (!conv || !token) return;
    fetch('/api/v1/agent/conversations/' + conv.id + '/viewing', {
      method: 'POST',
      keepalive: true,
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
      body: JSON.stringify({ on: false })
    }).catch(function () { /* the page is going away */ });
  });
})();
