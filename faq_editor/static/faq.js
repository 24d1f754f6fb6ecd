/*
 * The FAQ editor (GET /faq): list and search the entries, edit or add one with the checks shown as you
 * type (/api/v1/faq/checks), "try it" before and after the unsaved edit (/api/v1/faq/try), save (publishes
 * to the entry files and the index), the entry's changes with "Undo" (/api/v1/faq/changes). Agents read;
 * supervisors and admins edit. The login token is the console's (sessionStorage). Plain ES2020, no build.
 */
(function () {
  'use strict';
  var TOKEN_KEY = 'mostrador-console:token';
  var API = '/api/v1/faq';
  var token = null;
  var canEdit = false;
  var current = null;   // the entry as loaded ({...fields}) or null for a new one
  var entries = [];
  var lastTry = null;
  var lastChecks = null;
  var timers = {};
  var gap = null;       // a draft opened from the knowledge-gap report (/faq?gap=ID): {cluster, message_ids, sub_groups}
  var $ = function (id) { return document.getElementById(id); };
  var T = function (key, values) { return window.faqText.t(key, values); };

  function later(name, ms, fn) { clearTimeout(timers[name]); timers[name] = setTimeout(fn, ms); }

  function showError(text) { $('error').textContent = text || ''; $('error').hidden = !text; }

  function api(path, options) {
    options = options || {};
    var headers = { Authorization: 'Bearer ' + token };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, { method: options.method || 'GET', headers: headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body) }).then(function (response) {
      if (response.status === 401) { signOut(); throw new Error(T('session_expired')); }
      if (response.status === 204) return null;
      return response.json().then(function (body) {
        if (!response.ok) {
          var err = new Error((body.error && body.error.message) || (T('error') + ' ' + response.status));
          err.body = body; err.status = response.status;
          throw err;
        }
        return body;
      });
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k]; else if (k === 'class') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  // ------------------------------------------------------------------ list
  function loadList() {
    var params = new URLSearchParams({ q: $('search').value });
    if ($('filter-lang').value) params.set('lang', $('filter-lang').value);
    if ($('filter-cat').value) params.set('category', $('filter-cat').value);
    return api(API + '/entries?' + params).then(function (body) {
      entries = body.entries;
      var cat = $('filter-cat');
      var chosen = cat.value;
      while (cat.options.length > 1) cat.remove(1);
      body.categories.forEach(function (c) { cat.appendChild(el('option', { value: c, text: c })); });
      cat.value = chosen;
      $('count').textContent = T('count', { n: entries.length, total: body.total });
      renderList();
    }).catch(function (e) { showError(e.message); });
  }

  function renderList() {
    var list = $('entries');
    list.textContent = '';
    entries.forEach(function (e) {
      var mine = current && current.id === e.id && current.lang === e.lang;
      var button = el('button', { type: 'button', 'aria-current': mine ? 'true' : 'false', 'data-id': e.id, 'data-lang': e.lang }, [
        el('span', { class: 'q', text: e.question }),
        el('span', { class: 'meta' }, [el('span', { class: 'tag', text: e.lang }), el('span', { class: 'tag', text: e.category }),
          document.createTextNode(e.id + (e.alt_count ? ' · +' + e.alt_count : ''))]),
      ]);
      button.addEventListener('click', function () { open(e.id, e.lang); });
      list.appendChild(el('li', {}, [button]));
    });
  }

  // ------------------------------------------------------------------ form
  function draft() {
    return {
      id: $('f-id').value.trim(), lang: $('f-lang').value, question: $('f-question').value,
      answer: $('f-answer').value, category: $('f-category').value.trim(), url: $('f-url').value.trim() || null,
      alt_questions: $('f-alts').value.split('\n').map(function (s) { return s.trim(); }).filter(Boolean),
    };
  }

  function fill(entry) {
    $('f-id').value = entry ? entry.id : ''; $('f-lang').value = entry ? entry.lang : (window.faqText.lang() || 'es');
    $('f-question').value = entry ? entry.question : ''; $('f-answer').value = entry ? entry.answer : '';
    $('f-alts').value = entry ? entry.alt_questions.join('\n') : ''; $('f-category').value = entry ? entry.category : '';
    $('f-url').value = entry && entry.url ? entry.url : '';
  }

  function dirty() {
    if (!current) return Boolean($('f-question').value.trim() || $('f-answer').value.trim());
    var d = draft();
    return ['id', 'lang', 'question', 'answer', 'category'].some(function (k) { return d[k] !== current[k]; })
      || (d.url || null) !== (current.url || null) || d.alt_questions.join('\n') !== current.alt_questions.join('\n');
  }

  function draftBody() {
    var body = { entry: draft() };
    if (current) { body.original_id = current.id; body.original_lang = current.lang; }
    return body;
  }

  function setEditable() {
    var editable = canEdit && (!current || current.editable);
    ['f-id', 'f-lang', 'f-question', 'f-alts', 'f-answer', 'f-category', 'f-url'].forEach(function (id) { $(id).disabled = !editable; });
    $('f-id').disabled = !editable || Boolean(current);
    $('save').hidden = !canEdit; $('delete').hidden = !canEdit || !current; $('new').hidden = !canEdit;
    $('save').disabled = !editable; $('delete').disabled = !editable;
    $('readonly').hidden = canEdit;
    $('form-title').textContent = current ? T('edit_title') + ' · ' + current.id : T('new_title');
    $('file').textContent = current ? (current.editable ? T('file', { file: current.file }) : T('not_editable', { file: current.file })) : '';
  }

  function open(id, lang) {
    if (dirty() && !window.confirm(T('unsaved'))) return Promise.resolve();
    return api(API + '/entries/' + encodeURIComponent(id) + '/' + encodeURIComponent(lang)).then(function (entry) {
      current = entry; gap = null; $('gap-note').hidden = true;
      fill(entry); setEditable(); renderList(); renderChecks(null); $('saved').textContent = '';
      loadHistory(); runTry();
    }).catch(function (e) { showError(e.message); });
  }

  function startNew() {
    if (dirty() && !window.confirm(T('unsaved'))) return;
    current = null; gap = null; $('gap-note').hidden = true; fill(null); setEditable(); renderList(); renderChecks(null);
    $('saved').textContent = ''; $('history').textContent = ''; runTry(); $('f-question').focus();
  }

  function slug(text) {
    return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '').slice(0, 60);
  }

  // ---------------------------------------------------------------- checks
  function runChecks() {
    if (!canEdit) return;
    api(API + '/checks', { method: 'POST', body: draftBody() }).then(renderChecks).catch(function (e) {
      if (e.status === 422 && e.body && e.body.detail) return; // an incomplete form: wait for more typing
      showError(e.message);
    });
  }

  function renderChecks(result) {
    lastChecks = result;
    var box = $('checks');
    box.textContent = '';
    document.querySelectorAll('#entry-form [aria-invalid]').forEach(function (n) { n.removeAttribute('aria-invalid'); });
    if (!result) return;
    var en = window.faqText.lang() === 'en';
    result.problems.forEach(function (p) {
      var text = en ? p.message_en : p.message_es;
      if (p.other_id) text = text.replace(/\.$/, '') + ': ' + p.other_id + '.';
      if (p.field.indexOf('alt_questions') === 0) text = '«' + (draft().alt_questions[+p.field.split('.')[1]] || '') + '»: ' + text;
      box.appendChild(el('div', { class: 'check problem', 'data-code': p.code, text: text }));
      var input = { id: 'f-id', lang: 'f-lang', question: 'f-question', answer: 'f-answer', url: 'f-url' }[p.field] || (p.field.indexOf('alt') === 0 ? 'f-alts' : null);
      if (input) $(input).setAttribute('aria-invalid', 'true');
    });
    result.warnings.forEach(function (w) {
      box.appendChild(el('div', { class: 'check warning', 'data-code': w.code, text: T('too_close', {
        phrasing: w.phrasing, other: w.other_question, id: w.other_id, score: w.score.toFixed(3), threshold: w.threshold.toFixed(3) }) }));
    });
    if (!result.problems.length && !result.warnings.length) box.appendChild(el('div', { class: 'check ok', text: T('checks_ok') }));
  }

  function changed() {
    if (!current && !$('f-id').dataset.touched) $('f-id').value = slug($('f-question').value);
    $('saved').textContent = '';
    later('checks', 350, runChecks);
    later('try', 600, runTry);
  }

  // ------------------------------------------------------------------ save
  function save(event) {
    event.preventDefault();
    var body = draft();
    var path = current ? API + '/entries/' + encodeURIComponent(current.id) + '/' + encodeURIComponent(current.lang) : API + '/entries';
    $('save').disabled = true; $('saved').textContent = T('saving');
    var fromGap = !current && gap;
    api(path, { method: current ? 'PUT' : 'POST', body: body }).then(function (done) {
      current = done.entry; fill(current); setEditable();
      renderChecks({ problems: [], warnings: done.warnings });
      $('saved').textContent = T('saved');
      if (fromGap) gapHandled(fromGap, done);
      return Promise.all([loadList(), loadHistory()]).then(runTry);
    }).catch(function (e) {
      $('saved').textContent = '';
      if (e.body && e.body.error && e.body.error.problems) renderChecks({ problems: e.body.error.problems, warnings: [] });
      else showError(e.message);
    }).finally(function () { $('save').disabled = false; });
  }

  function remove() {
    if (!current || !window.confirm(T('confirm_delete'))) return;
    api(API + '/entries/' + encodeURIComponent(current.id) + '/' + encodeURIComponent(current.lang), { method: 'DELETE' }).then(function (done) {
      var id = current.id;
      current = null; fill(null); setEditable(); renderChecks(null);
      $('saved').textContent = T('deleted');
      loadList(); loadHistory(id);
    }).catch(function (e) { showError(e.message); });
  }

  // ------------------------------------------------- from the knowledge-gap report (/gaps)
  // subs: the topic's ticked sub-groups ("12,15" from /faq?gap=ID&sub_groups=12,15): drafted from them only
  function openGap(id, subs) {
    var query = (subs || '').split(',').filter(Boolean).map(function (s) { return 'sub_groups=' + encodeURIComponent(s); }).join('&');
    return api('/api/v1/gaps/clusters/' + encodeURIComponent(id) + '/draft' + (query ? '?' + query : '')).then(function (d) {
      gap = d; current = null; fill(d.entry); $('f-id').value = slug(d.entry.question);
      setEditable(); renderList(); $('history').textContent = '';
      $('gap-note').textContent = T('gap_draft', { n: d.message_ids.length }); $('gap-note').hidden = false;
      $('try-text').value = d.entry.alt_questions[0] || d.entry.question; $('try-lang').value = d.entry.lang;
      runChecks(); runTry();
    }).catch(function (e) { showError(e.message); });
  }

  function gapHandled(d, done) {
    gap = null;
    api('/api/v1/gaps/clusters/' + d.cluster + '/handled', { method: 'POST',
      body: { entry_id: done.entry.id, lang: done.entry.lang, change_id: done.change.id, sub_groups: d.sub_groups } }).then(function () {
      $('saved').textContent = T('gap_done', { n: d.message_ids.length }); $('gap-note').hidden = true;
    }).catch(function (e) { showError(e.message); });
  }

  // ---------------------------------------------------------------- try it
  function runTry(event) {
    if (event && typeof event.preventDefault === "function") event.preventDefault();
    var text = $('try-text').value.trim();
    if (!text) { $('try-before').textContent = ''; $('try-after').textContent = ''; return; }
    var body = { text: text, lang: $('try-lang').value };
    var d = draft();
    if (dirty() && d.question.trim() && d.answer.trim() && d.id) body.draft = draftBody();
    api(API + '/try', { method: 'POST', body: body }).then(function (result) {
      lastTry = result; renderTry();
    }).catch(function (e) { if (e.status !== 422) showError(e.message); });
  }

  function decisionNode(d) {
    var head = el('div', { class: 'action ' + d.action, 'data-action': d.action, text: T('act_' + d.action) + (d.answer_id ? ': ' + d.answer_id : '') });
    var list = el('ol', {}, d.candidates.map(function (c) {
      return el('li', { 'data-id': c.id, text: c.question + ' — ' + c.id + ' · ' + c.score.toFixed(3) });
    }));
    return el('div', {}, [head, list, el('div', { class: 'reason', text: d.reason })]);
  }

  function renderTry() {
    $('try-before').textContent = ''; $('try-after').textContent = '';
    if (!lastTry) return;
    $('try-before').appendChild(decisionNode(lastTry.before));
    if (lastTry.after) $('try-after').appendChild(decisionNode(lastTry.after));
    else $('try-after').appendChild(el('p', { class: 'muted', text: T('no_edit') }));
  }

  // --------------------------------------------------------------- history
  function loadHistory(id) {
    var entryId = id || (current && current.id);
    if (!entryId) { $('history').textContent = ''; return Promise.resolve(); }
    return api(API + '/changes?entry_id=' + encodeURIComponent(entryId)).then(function (body) {
      var list = $('history');
      list.textContent = '';
      if (!body.changes.length) list.appendChild(el('li', { class: 'muted', text: T('no_history') }));
      body.changes.forEach(function (c) {
        var when = new Date(c.created_at).toLocaleString(window.faqText.lang());
        var what = '#' + c.id + ' ' + T('kind_' + c.kind) + ' (' + c.lang + ') ' + T('by') + ' ' + c.author + ' · ' + when;
        var diff = summary(c);
        var item = el('li', { 'data-change': c.id }, [el('span', { class: 'what', text: what }),
          c.reverts_id ? el('span', { class: 'muted', text: T('reverts', { id: c.reverts_id }) }) : null,
          diff ? el('span', { class: 'diff', text: diff }) : null]);
        if (canEdit) {
          var undo = el('button', { type: 'button', class: 'quiet', text: T('revert') });
          undo.addEventListener('click', function () { revert(c); });
          item.appendChild(el('span', {}, [undo]));
        }
        list.appendChild(item);
      });
    }).catch(function (e) { showError(e.message); });
  }

  function summary(c) {
    if (!c.before || !c.after) return (c.after || c.before || {}).question || '';
    return ['question', 'answer', 'category', 'url', 'lang'].filter(function (k) { return c.before[k] !== c.after[k]; })
      .map(function (k) { return k + ': «' + short(c.before[k]) + '» → «' + short(c.after[k]) + '»'; }).join('\n')
      || (c.before.alt_questions.join('|') !== c.after.alt_questions.join('|') ? 'alt_questions' : '');
  }

  function short(v) { v = v === null || v === undefined ? '' : String(v); return v.length > 60 ? v.slice(0, 57) + '…' : v; }

  function revert(c) {
    if (!window.confirm(T('confirm_revert'))) return;
    api(API + '/changes/' + c.id + '/revert', { method: 'POST' }).then(function (done) {
      $('saved').textContent = T('reverted');
      current = null;
      if (done.entry) { current = done.entry; fill(current); } else fill(null);
      setEditable(); renderChecks(null);
      return Promise.all([loadList(), loadHistory(c.entry_id)]).then(runTry);
    }).catch(function (e) { showError(e.message); });
  }

  // --------------------------------------------------------------- session
  function signOut() {
    token = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing kept */ }
    $('editor-view').hidden = true; $('login-view').hidden = false; $('logout').hidden = true; $('who').textContent = '';
    window.faqLearned.stop();
  }

  function start(agent) {
    canEdit = agent.role === 'supervisor' || agent.role === 'admin';
    $('who').textContent = agent.name;
    $('login-view').hidden = true; $('editor-view').hidden = false; $('logout').hidden = false;
    setEditable(); loadList();
    window.faqLearned.start(agent.role, api, el, showError); // «Aprendido»: supervisors read, admins remove
    var params = new URLSearchParams(window.location.search);
    var fromGap = params.get('gap');
    if (fromGap && canEdit) openGap(fromGap, params.get('sub_groups'));
  }

  function init() {
    window.faqText.apply();
    $('ui-lang').value = window.faqText.lang();
    $('ui-lang').addEventListener('change', function () {
      window.faqText.set($('ui-lang').value); setEditable(); renderChecks(lastChecks); renderTry(); loadList(); loadHistory();
      window.faqLearned.render();
    });
    $('login-form').addEventListener('submit', function (event) {
      event.preventDefault(); showError('');
      fetch('/api/v1/agent/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: $('email').value, password: $('password').value }) }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) throw new Error(T('login_failed') + ': ' + ((body.error && body.error.message) || r.status));
          token = body.token;
          try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* this page only */ }
          start(body.agent);
        });
      }).catch(function (e) { showError(e.message); });
    });
    $('logout').addEventListener('click', function () {
      fetch('/api/v1/agent/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + token } }).finally(signOut);
    });
    $('search').addEventListener('input', function () { later('list', 250, loadList); });
    $('filter-lang').addEventListener('change', loadList);
    $('filter-cat').addEventListener('change', loadList);
    $('new').addEventListener('click', startNew);
    $('entry-form').addEventListener('input', changed);
    $('f-id').addEventListener('input', function () { $('f-id').dataset.touched = '1'; });
    $('entry-form').addEventListener('submit', save);
    $('delete').addEventListener('click', remove);
    $('try-form').addEventListener('submit', runTry);
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
    if (!token) { $('login-view').hidden = false; return; }
    api('/api/v1/agent/me').then(start).catch(function () { signOut(); });
  }

  document.addEventListener('DOMContentLoaded', init);
}());
