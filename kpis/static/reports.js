/*
 * The reports page (GET /reports) for supervisors: the KPIs of /api/v1/reports/kpis as cards and
 * Chart.js charts (vendored, served by the hub), filters, a drill-down from a number to its
 * conversations (/api/v1/reports/conversations?drill=...) and the CSV. Plain ES2020, no build step.
 * The login token is the console's (sessionStorage), so a supervisor coming from /agent is signed in.
 * Words: reports-text.js (Spanish and English). Below the charts: a conversation's transcript (opened from
 * a drill-down row or a follow-up) and the open follow-ups (/api/v1/follow-ups, low CSAT and NPS).
 */
(function () {
  'use strict';
  var TOKEN_KEY = 'mostrador-console:token';
  var token = null;
  var charts = {};
  var last = null;  // the last /kpis answer, to redraw in another language
  var lastDrill = null;
  var T = function (key) { return window.reportsText.t(key); };

  var $ = function (id) { return document.getElementById(id); };

  // KPI cards: key, and the drill-down behind the number (if any).
  var CARDS = [
    ['conversations', null], ['messages', null], ['containment', 'contained'],
    ['handoff_rate', 'handed_off'], ['frt_bot_median', null], ['frt_bot_p90', null],
    ['frt_human_median', null], ['frt_human_p90', null], ['queue_wait_median', null],
    ['queue_wait_p90', null], ['resolution_median', null], ['abandonment', 'abandoned'],
    ['fcr', 'reopened'], ['complaints_received', 'complaints'], ['complaints_resolved', null],
    ['complaints_open', 'complaints_open'], ['csat_bot', 'csat_low'], ['csat_bot_good', null],
    ['csat_human', 'csat_low'], ['csat_human_good', null], ['csat_responses', null],
    ['nps', 'nps_detractors'], ['kb_answered', null], ['kb_clarified', null], ['kb_handed_off', null],
    ['kb_not_helpful', null],
  ];
  var definitions = {};

  function showError(text) {
    var box = $('error');
    box.textContent = text || '';
    box.hidden = !text;
  }

  function api(path, method) {
    return fetch(path, { method: method || 'GET', headers: { Authorization: 'Bearer ' + token } }).then(function (response) {
      if (response.status === 401) { signOut(); throw new Error(T('session_expired')); }
      if (!response.ok) {
        return response.json().then(function (body) {
          throw new Error((body.error && body.error.message) || (T('error') + ' ' + response.status));
        });
      }
      return response;
    });
  }

  function format(value, unit) {
    if (value === null || value === undefined) return '—';
    if (unit === 'share') return (value * 100).toFixed(1) + ' %';
    if (unit === 'seconds') return value < 120 ? value.toFixed(0) + ' s' : (value / 60).toFixed(1) + ' min';
    if (unit === 'score') return value.toFixed(1);
    return String(value);
  }

  function query(extra) {
    var params = new URLSearchParams({ start: $('start').value, end: $('end').value });
    if ($('channel').value) params.set('channel', $('channel').value);
    if ($('team').value.trim()) params.set('team', $('team').value.trim());
    Object.keys(extra || {}).forEach(function (k) { params.set(k, extra[k]); });
    return params.toString();
  }

  function renderCards(total) {
    var cards = $('cards');
    cards.textContent = '';
    CARDS.forEach(function (entry) {
      var key = entry[0], drill = entry[1], def = definitions[key] || { title: key, unit: 'count' };
      var card = document.createElement(drill ? 'button' : 'div');
      card.className = 'kpi';
      card.dataset.kpi = key;
      if (drill) { card.type = 'button'; card.dataset.drill = drill; card.title = def.definition || ''; }
      var label = document.createElement('span');
      label.className = 'label';
      var title = window.reportsText.lang() === 'en' && def.title_en ? def.title_en : def.title;
      label.textContent = title + (drill ? ' ▸' : '');
      var value = document.createElement('span');
      value.className = 'value';
      value.textContent = format(total[key], def.unit);
      card.append(label, value);
      if (drill) card.addEventListener('click', function () { loadDrill(drill); });
      cards.append(card);
    });
  }

  function chart(id, config) {
    if (charts[id]) charts[id].destroy();
    config.options = Object.assign({ responsive: true, animation: false, maintainAspectRatio: false }, config.options);
    charts[id] = new window.Chart($(id), config);
  }

  function renderCharts(found) {
    var labels = found.groups.map(function (g) { return g.key === '' ? T('none') : g.key; });
    var pick = function (key) { return found.groups.map(function (g) { return g[key]; }); };
    var contained = found.groups.map(function (g) {
      return g.containment === null ? 0 : Math.round(g.containment * g.conversations);
    });
    chart('chart-volume', { type: 'bar', data: { labels: labels, datasets: [
      { label: T('conversations'), data: pick('conversations'), backgroundColor: '#8fb8de' },
      { label: T('contained'), data: contained, backgroundColor: '#0b6e4f' },
    ] } });
    chart('chart-csat', { type: 'bar', data: { labels: labels, datasets: [
      { label: T('bot_only'), data: pick('csat_bot'), backgroundColor: '#0b6e4f' },
      { label: T('with_person'), data: pick('csat_human'), backgroundColor: '#e0a030' },
    ] }, options: { scales: { y: { min: 0, max: 5 } } } });
    chart('chart-frt', { type: 'line', data: { labels: labels, datasets: [
      { label: T('bot'), data: pick('frt_bot_median'), borderColor: '#0b6e4f' },
      { label: T('person_hours'), data: pick('frt_human_median'), borderColor: '#e0a030' },
    ] } });
    var reasons = found.total.handoffs_by_reason || {};
    chart('chart-reasons', { type: 'doughnut', data: {
      labels: Object.keys(reasons).map(window.reportsText.reason), datasets: [
      { data: Object.values(reasons),
        backgroundColor: ['#b42318', '#e0a030', '#0b6e4f', '#8fb8de', '#6941c6', '#5b6475', '#1d2433'] },
    ] } });
  }

  function load() {
    showError('');
    $('drill').hidden = true;
    return api('/api/v1/reports/kpis?' + query({ group_by: $('group-by').value }))
      .then(function (r) { return r.json(); })
      .then(function (found) {
        last = found;
        renderCards(found.total);
        renderCharts(found);
        document.body.dataset.loaded = 'yes';
        return loadFollowUps();
      })
      .catch(function (e) { showError(e.message); });
  }

  function cell(text) {
    var td = document.createElement('td');
    td.textContent = text === null || text === undefined || text === '' ? '—' : String(text);
    return td;
  }

  function conversationCell(id) {
    var td = document.createElement('td');
    var open = document.createElement('button');
    open.type = 'button';
    open.className = 'link';
    open.textContent = '#' + id;
    open.title = T('open_transcript');
    open.addEventListener('click', function () { loadTranscript(id); });
    td.append(open);
    return td;
  }

  function loadDrill(drill) {
    lastDrill = drill;
    return api('/api/v1/reports/conversations?' + query({ drill: drill }))
      .then(function (r) { return r.json(); })
      .then(function (rows) {
        $('drill-title').textContent = T('drill_' + drill) + ' (' + rows.length + ')';
        var body = $('drill-rows');
        body.textContent = '';
        rows.forEach(function (row) {
          var tr = document.createElement('tr');
          tr.append(conversationCell(row.conversation_id), cell(row.channel), cell(row.created_at),
                    cell(row.handoff_reason && window.reportsText.reason(row.handoff_reason)),
                    cell(row.agent || row.agent_id), cell(row.resolved_by),
                    cell(row.csat), cell(row.nps));
          body.append(tr);
        });
        $('drill').hidden = false;
        $('drill').scrollIntoView({ block: 'nearest' });
      })
      .catch(function (e) { showError(e.message); });
  }

  function who(message) {
    if (message.sender_type === 'contact') return T('customer');
    if (message.sender_type === 'agent') return message.sender_name || T('agent_word');
    if (message.sender_type === 'bot') return T('bot');
    return T('system');
  }

  function loadTranscript(id) {
    return api('/api/v1/conversations/' + encodeURIComponent(id) + '/messages?limit=500')
      .then(function (r) { return r.json(); })
      .then(function (found) {
        $('transcript-id').textContent = '#' + id;
        var list = $('transcript-lines');
        list.textContent = '';
        found.messages.forEach(function (message) {
          var li = document.createElement('li');
          li.className = message.message_type === 'incoming' ? 'in'
            : (message.sender_type === 'system' || message.message_type === 'activity' ? 'system' : 'out');
          var name = document.createElement('span');
          name.className = 'who';
          name.textContent = who(message) + ' · ' + String(message.created_at).slice(0, 16).replace('T', ' ');
          li.append(name, document.createTextNode(message.text));
          list.append(li);
        });
        $('transcript').hidden = false;
        $('transcript').scrollIntoView({ block: 'nearest' });
      })
      .catch(function (e) { showError(e.message); });
  }

  function loadFollowUps() {
    return api('/api/v1/follow-ups?state=open')
      .then(function (r) { return r.json(); })
      .then(function (items) {
        $('follow-ups-count').textContent = String(items.length);
        $('follow-ups-none').hidden = items.length > 0;
        var body = $('follow-up-rows');
        body.textContent = '';
        items.forEach(function (item) {
          var tr = document.createElement('tr');
          tr.dataset.followUp = String(item.id);
          var done = document.createElement('button');
          done.type = 'button';
          done.textContent = T('done');
          done.addEventListener('click', function () {
            api('/api/v1/follow-ups/' + item.id + '/done', 'POST').then(loadFollowUps)
              .catch(function (e) { showError(e.message); });
          });
          var action = document.createElement('td');
          action.append(done);
          tr.append(cell(String(item.created_at).slice(0, 16).replace('T', ' ')), cell(item.kind.toUpperCase()),
                    cell(item.score), cell(item.comment), conversationCell(item.conversation_id), action);
          body.append(tr);
        });
      })
      .catch(function (e) { showError(e.message); });
  }

  function relabel() {
    window.reportsText.apply();
    if (last) { renderCards(last.total); renderCharts(last); }
    if (lastDrill && !$('drill').hidden) loadDrill(lastDrill);
    if (token && !$('report-view').hidden) loadFollowUps();
  }

  function downloadCsv() {
    api('/api/v1/reports/conversations.csv?' + query())
      .then(function (r) { return r.blob(); })
      .then(function (blob) {
        var link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = T('csv_name') + '-' + $('start').value + '-' + $('end').value + '.csv';
        document.body.append(link);
        link.click();
        link.remove();
      })
      .catch(function (e) { showError(e.message); });
  }

  function signOut() {
    token = null;
    try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing kept */ }
    $('report-view').hidden = true;
    $('logout').hidden = true;
    $('login-view').hidden = false;
  }

  function start() {
    $('login-view').hidden = true;
    $('report-view').hidden = false;
    $('logout').hidden = false;
    return api('/api/v1/reports/definitions')
      .then(function (r) { return r.json(); })
      .then(function (list) {
        list.forEach(function (d) { definitions[d.key] = d; });
        return load();
      })
      .catch(function (e) { showError(e.message); });
  }

  function login(event) {
    event.preventDefault();
    showError('');
    fetch('/api/v1/agent/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: $('email').value, password: $('password').value }),
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.error && body.error.message) || T('login_failed'));
        token = body.token;
        try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* this page only */ }
        return start();
      });
    }).catch(function (e) { showError(e.message); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    window.reportsText.apply();
    $('lang').value = window.reportsText.lang();
    $('lang').addEventListener('change', function () { window.reportsText.set($('lang').value); relabel(); });
    $('transcript-close').addEventListener('click', function () { $('transcript').hidden = true; });
    var today = new Date();
    var before = new Date(today.getTime() - 29 * 86400000);
    $('end').value = today.toISOString().slice(0, 10);
    $('start').value = before.toISOString().slice(0, 10);
    $('login-form').addEventListener('submit', login);
    $('filters').addEventListener('submit', function (event) { event.preventDefault(); load(); });
    $('csv').addEventListener('click', downloadCsv);
    $('logout').addEventListener('click', signOut);
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { token = null; }
    if (token) start(); else $('login-view').hidden = false;
  });
}());
