/*
 * The knowledge-gap report (GET /gaps): unanswered customer questions grouped by meaning, one card per topic
 * (/api/v1/gaps `topics`), most open first, each with its trend, wordings, examples linked to their
 * conversations, what agents replied, and "Create FAQ entry", which opens the FAQ editor prefilled
 * (/faq?gap=ID&sub_groups=ID,ID). A topic of several pure clusters lists them as sub-groups with a checkbox
 * each, all ticked: the draft and the "handled" marking take the ticked ones only. Supervisors and admins;
 * the login token is the console's (sessionStorage). Plain ES2020, no build.
 */
(function () {
  'use strict';
  var TOKEN_KEY = 'mostrador-console:token';
  var token = null;
  var last = null;
  var unticked = {};   // sub-group id -> true: the lead's unticks, kept across a language change
  var $ = function (id) { return document.getElementById(id); };
  var T = function (key, values) { return window.gapsText.t(key, values); };

  function showError(text) { $('error').textContent = text || ''; $('error').hidden = !text; }

  function api(path) {
    return fetch(path, { headers: { Authorization: 'Bearer ' + token } }).then(function (response) {
      if (response.status === 401) { signOut(); throw new Error(T('session_expired')); }
      return response.json().then(function (body) {
        if (!response.ok) {
          var err = new Error(response.status === 403 ? T('forbidden') : ((body.error && body.error.message) || (T('error') + ' ' + response.status)));
          err.status = response.status;
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
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }

  function load() {
    showError('');
    var params = new URLSearchParams();
    if ($('filter-lang').value) params.set('lang', $('filter-lang').value);
    if ($('show-handled').checked) params.set('include_handled', 'true');
    $('summary').textContent = T('loading');
    return api('/api/v1/gaps?' + params).then(function (body) { last = body; render(); })
      .catch(function (e) { $('summary').textContent = ''; showError(e.message); });
  }

  function trend(t) {
    var max = Math.max.apply(null, t.weeks.concat([1]));
    return el('span', { class: 'trend', title: T('weeks') + ': ' + t.weeks.join(', ') },
      t.weeks.map(function (n) { var bar = el('span'); bar.style.height = Math.round(100 * n / max) + '%'; return bar; }));
  }

  function when(iso) { return new Date(iso).toLocaleString(window.gapsText.lang()); }

  function cluster(c) {
    var t = c.trend;
    var arrow = t.last_7_days > t.previous_7_days ? el('span', { class: 'up', text: ' ▲' })
      : (t.last_7_days < t.previous_7_days ? el('span', { class: 'down', text: ' ▼' }) : null);
    var why = Object.keys(c.why).map(function (k) { return el('span', { class: 'tag', text: T('why_' + k) + ' ' + c.why[k] }); });
    var head = el('header', {}, [
      el('div', {}, [el('div', { class: 'rep', text: c.representative }),
        el('div', { class: 'muted' }, [el('span', { class: 'tag', text: c.lang }), T('open_n', { n: c.open }) + ' · ',
          T('last7', { n: t.last_7_days, prev: t.previous_7_days }), arrow, trend(t)].concat(why))]),
      el('div', { class: 'count', title: T('questions_n'), text: String(c.size) }),
    ]);
    var subs = c.sub_groups.length > 1 ? subGroups(c) : null;
    var wordings = subs || el('ul', { class: 'wordings' }, c.questions.slice(0, 8).map(function (q) { return el('li', { text: q }); }));
    var examples = el('ul', { class: 'examples' }, c.examples.map(function (x) {
      return el('li', { 'data-message': x.message_id }, [x.text + ' — ', el('span', { class: 'muted', text: when(x.created_at) + ' · ' }),
        el('a', { href: x.link, target: '_blank', rel: 'noopener', text: T('open_conv') + ' #' + x.conversation_id }),
        x.reply ? el('span', { class: 'reply', text: T('agent_replied') + x.reply }) : null]);
    }));
    var replies = c.replies.length
      ? el('ul', { class: 'replies' }, c.replies.slice(0, 3).map(function (r) { return el('li', { text: T('times', { n: r.count }) + ' ' + r.text }); }))
      : el('p', { class: 'muted', text: T('no_replies') });
    var link = c.open ? el('a', { class: 'primary draft', href: '/faq?gap=' + c.id, text: T('draft') }) : null;
    var picked = subs ? el('span', { class: 'muted picked' }) : null;
    var actions = el('div', { class: 'actions' }, [
      c.handled ? el('span', { class: 'done', text: T('handled', { id: c.handled.entry_id, lang: c.handled.lang }) }) : null,
      link, picked,
    ]);
    var card = el('li', { class: 'cluster' + (c.open ? '' : ' handled'), 'data-cluster': c.id }, [head,
      el('h3', { text: subs ? T('sub_groups') : T('wordings') }), subs ? el('p', { class: 'muted', text: T('sub_hint') }) : null,
      wordings, el('h3', { text: T('replies') }), replies, el('h3', { text: T('examples') }), examples, actions]);
    if (subs && link) {
      var update = function () { ticked(c, link, picked); };
      subs.addEventListener('change', function (event) {
        unticked[event.target.value] = !event.target.checked; update();
      });
      update();
    }
    return card;
  }

  // A topic's sub-groups: one checkbox each (a handled one cannot be ticked), its wordings below it.
  function subGroups(c) {
    return el('ul', { class: 'subgroups' }, c.sub_groups.map(function (g) {
      var box = el('input', { type: 'checkbox', value: String(g.id) });
      box.checked = g.open > 0 && !unticked[g.id];
      box.disabled = !g.open;
      return el('li', { 'data-sub': g.id }, [
        el('label', {}, [box, ' ', el('span', { class: 'sub-rep', text: g.representative }),
          el('span', { class: 'muted', text: ' · ' + T(g.size === 1 ? 'questions_one' : 'questions_count', { n: g.size }) }),
          g.handled ? el('span', { class: 'done', text: ' · ' + T('handled', { id: g.handled.entry_id, lang: g.handled.lang }) }) : null]),
        el('ul', { class: 'wordings' }, g.questions.slice(1, 5).map(function (q) { return el('li', { text: q }); })),
      ]);
    }));
  }

  // The draft link follows the ticks: the largest ticked sub-group's id, then every ticked one's.
  function ticked(c, link, picked) {
    var chosen = c.sub_groups.filter(function (g) { return g.open > 0 && !unticked[g.id]; });
    var n = chosen.reduce(function (sum, g) { return sum + g.size; }, 0);
    link.hidden = !chosen.length;
    if (chosen.length) link.href = '/faq?gap=' + chosen[0].id + '&sub_groups=' + chosen.map(function (g) { return g.id; }).join(',');
    picked.textContent = chosen.length ? T('picked', { n: n, of: c.size }) : T('none_picked');
  }

  function render() {
    var list = $('clusters');
    list.textContent = '';
    if (!last) return;
    $('summary').textContent = T(last.topics.length === 1 ? 'summary_one' : 'summary', { clusters: last.topics.length, questions: T(last.open_questions === 1 ? 'questions_one' : 'questions_count', { n: last.open_questions }), days: last.days });
    if (!last.topics.length) list.appendChild(el('li', { class: 'card muted', text: T('empty') }));
    last.topics.forEach(function (c) { list.appendChild(cluster(c)); });
  }

  function signOut() {
    token = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing kept */ }
    $('gaps-view').hidden = true; $('login-view').hidden = false; $('logout').hidden = true; $('who').textContent = '';
  }

  function start(agent) {
    $('who').textContent = agent.name;
    $('login-view').hidden = true; $('gaps-view').hidden = false; $('logout').hidden = false;
    load();
  }

  function init() {
    window.gapsText.apply();
    $('ui-lang').value = window.gapsText.lang();
    $('ui-lang').addEventListener('change', function () { window.gapsText.set($('ui-lang').value); render(); });
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
    $('filter-lang').addEventListener('change', load);
    $('show-handled').addEventListener('change', load);
    $('reload').addEventListener('click', load);
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
    if (!token) { $('login-view').hidden = false; return; }
    api('/api/v1/agent/me').then(start).catch(function () { signOut(); });
  }

  document.addEventListener('DOMContentLoaded', init);
}());
