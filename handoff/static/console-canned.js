/*
 * Mostrador agent console: canned replies in the reply box.
 *
 * Typing "/" (at the start or after a space) opens a list of the agent's replies (shared + personal)
 * filtered by what follows; ↑/↓ move, Enter or Tab insert, Esc closes. The text comes from
 * GET /api/v1/agent/conversations/{id}/canned-replies: in the conversation's language, variables
 * filled. A variable nobody knows ({{nombre}}) is selected for the agent to type over, and a reply
 * still holding one is not sent until the agent has seen the warning (Enter again sends it as is).
 * app.canned.insert(text) puts any text in the box (the context panel's FAQ answers use it).
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var t = app.i18n.t;
  var el = app.dom.el;
  var clear = app.dom.clear;

  app.i18n.extend({
    es: {
      canned_list: 'Respuestas predefinidas',
      canned_none: function (q) { return 'Ninguna respuesta empieza por «/' + q + '». Esc para cerrar.'; },
      canned_empty: 'Aún no hay respuestas predefinidas: créalas en «Respuestas predefinidas».',
      canned_missing: function (names) {
        return 'Falta completar ' + names + ': escríbelo en su lugar. Intro otra vez lo envía tal cual.';
      },
      canned_hint: 'Escribe / para usar una respuesta predefinida',
      canned_scope: { shared: 'Compartida', personal: 'Personal' }
    },
    en: {
      canned_list: 'Canned replies',
      canned_none: function (q) { return 'No reply starts with "/' + q + '". Esc closes.'; },
      canned_empty: 'No canned replies yet: make them in "Canned replies".',
      canned_missing: function (names) {
        return names + ' still to fill in: type it in its place. Enter again sends it as it is.';
      },
      canned_hint: 'Type / to use a canned reply',
      canned_scope: { shared: 'Shared', personal: 'Personal' }
    }
  });

  var PLACEHOLDER = /\{\{\s*[^{}\s]*\s*\}\}/g;
  var box = document.getElementById('reply');
  var form = document.getElementById('reply-form');
  var state = { conv: null, replies: [], shown: [], active: 0, token: null, dismissed: null, warned: null };

  var popup = el('ul', { id: 'canned-popup', class: 'canned-popup', role: 'listbox', hidden: true });
  var hint = el('p', { id: 'canned-hint', class: 'canned-hint', 'aria-live': 'polite', hidden: true });
  form.appendChild(popup);
  form.parentNode.insertBefore(hint, form.nextSibling);
  box.setAttribute('aria-autocomplete', 'list');
  box.setAttribute('aria-controls', 'canned-popup');
  box.setAttribute('aria-expanded', 'false');
  box.setAttribute('aria-describedby', 'canned-hint');

  function fold(text) {
    return String(text).toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  }

  function load() {
    var conv = state.conv;
    if (!conv) return;
    app.actions.api('GET', '/conversations/' + conv.id + '/canned-replies').then(function (replies) {
      if (state.conv !== conv) return;
      state.replies = replies;
      if (!popup.hidden) update(); // the list was opened before the replies arrived
    }, function () { /* the box still works without them; the next open reads them again */ });
  }

  // "/que" just before the caret, at the start or after a space: {start, query}.
  function token() {
    var before = box.value.slice(0, box.selectionStart);
    var match = /(^|\s)\/([^\s/]*)$/.exec(before);
    return match ? { start: before.length - match[2].length - 1, query: match[2] } : null;
  }

  function close() {
    popup.hidden = true;
    box.setAttribute('aria-expanded', 'false');
    box.removeAttribute('aria-activedescendant');
    state.token = null;
  }

  function render() {
    clear(popup);
    if (!state.shown.length) {
      var q = state.token.query;
      popup.appendChild(el('li', { class: 'canned-none', text: state.replies.length ? t('canned_none')(q) : t('canned_empty') }));
    }
    state.shown.forEach(function (reply, i) {
      popup.appendChild(el('li', {
        id: 'canned-opt-' + i, role: 'option', class: 'canned-opt', 'data-index': i,
        'aria-selected': i === state.active ? 'true' : 'false'
      }, [
        el('span', { class: 'canned-key', text: '/' + reply.shortcut }),
        el('span', { class: 'canned-title', text: reply.title }),
        el('span', { class: 'tag', text: t('canned_scope')[reply.scope] + ' · ' + reply.language.toUpperCase() }),
        el('span', { class: 'canned-text', text: reply.text })
      ]));
    });
    popup.hidden = false;
    box.setAttribute('aria-expanded', 'true');
    if (state.shown.length) {
      box.setAttribute('aria-activedescendant', 'canned-opt-' + state.active);
      var active = document.getElementById('canned-opt-' + state.active);
      if (active && active.scrollIntoView) active.scrollIntoView({ block: 'nearest' });
    } else {
      box.removeAttribute('aria-activedescendant');
    }
  }

  function update() {
    var found = state.conv && !box.disabled ? token() : null;
    if (!found || (state.dismissed !== null && state.dismissed === found.start)) {
      close();
      return;
    }
    state.token = found;
    var q = fold(found.query);
    // Shortcuts that start with what was typed first, then titles that contain it.
    var first = state.replies.filter(function (r) { return fold(r.shortcut).indexOf(q) === 0; });
    state.shown = first.concat(state.replies.filter(function (r) {
      return first.indexOf(r) === -1 && fold(r.title).indexOf(q) !== -1;
    }));
    state.active = Math.min(state.active, Math.max(state.shown.length - 1, 0));
    render();
  }

  // The first {{variable}} left in the box is selected, so typing replaces it.
  function selectPlaceholder(from) {
    PLACEHOLDER.lastIndex = from || 0;
    var match = PLACEHOLDER.exec(box.value);
    if (!match) return false;
    box.setSelectionRange(match.index, match.index + match[0].length);
    return true;
  }

  function missingIn(text) {
    return (text.match(PLACEHOLDER) || []).filter(function (v, i, all) { return all.indexOf(v) === i; });
  }

  function showHint(text) {
    hint.textContent = text || '';
    hint.hidden = !text;
  }

  function put(text, start, end) {
    box.focus();
    box.setRangeText(text, start, end, 'end');
    var at = start;
    box.dispatchEvent(new Event('input', { bubbles: true })); // the customer sees "typing"
    var missing = missingIn(text);
    if (missing.length) {
      selectPlaceholder(at);
      showHint(t('canned_missing')(missing.join(', ')));
    } else {
      showHint('');
    }
  }

  function choose(index) {
    var reply = state.shown[index];
    var found = state.token;
    if (!reply || !found) return;
    close();
    put(reply.text, found.start, box.selectionStart);
  }

  box.addEventListener('input', function () {
    state.active = 0;
    if (state.dismissed !== null && !token()) state.dismissed = null;
    state.warned = null;
    update();
  });
  box.addEventListener('click', update);
  box.addEventListener('blur', function () { setTimeout(close, 150); });

  // Capture: runs before the console's own Enter-sends handler on the same box.
  box.addEventListener('keydown', function (e) {
    if (popup.hidden || !state.token) return;
    var n = state.shown.length;
    var handled = true;
    if (e.key === 'ArrowDown' && n) state.active = (state.active + 1) % n;
    else if (e.key === 'ArrowUp' && n) state.active = (state.active - 1 + n) % n;
    else if ((e.key === 'Enter' && !e.shiftKey) || (e.key === 'Tab' && n)) {
      if (n) choose(state.active);
    } else if (e.key === 'Escape') {
      state.dismissed = state.token.start;
      close();
    } else handled = false;
    if (!handled) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (!popup.hidden) render();
  }, true);

  popup.addEventListener('mousedown', function (e) {
    var option = e.target.closest('[data-index]');
    e.preventDefault(); // keep the focus (and the caret) in the box
    if (option) choose(Number(option.getAttribute('data-index')));
  });

  // A reply still holding {{variable}} is stopped once, with the variable selected and a warning.
  form.addEventListener('submit', function (e) {
    var text = box.value;
    var missing = missingIn(text);
    if (!missing.length || state.warned === text) {
      showHint('');
      return;
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    state.warned = text;
    selectPlaceholder(0);
    showHint(t('canned_missing')(missing.join(', ')));
  }, true);

  function insert(text) {
    if (box.disabled) return;
    var start = box.selectionStart;
    var end = box.selectionEnd;
    if (document.activeElement !== box) start = end = box.value.length;
    var before = box.value.slice(0, start);
    put((before && !/\s$/.test(before) ? ' ' : '') + text, start, end);
  }

  app.on('open', function (conv) {
    state.conv = conv;
    state.replies = [];
    state.dismissed = null;
    showHint('');
    close();
    load();
  });
  app.on('close', function () {
    state.conv = null;
    close();
    showHint('');
  });
  app.on('context', load); // the bot may have learnt the order number since

  app.canned = { insert: insert, reload: load };
})();
