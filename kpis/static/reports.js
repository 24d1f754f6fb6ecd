/*
 * The reports page (GET /reports) for supervisors: the KPIs of /api/v1/reports/kpis as cards and
 * Chart.js charts (vendored, served by the hub), filters, a drill-down from a number to its
 * conversations (/api/v1/reports/conversations?drill=...) and the CSV. Plain ES2020, no build step.
 * The login token is the console's (sessionStorage), so a supervisor coming from /agent is signed in.
 */
(function () {
  'use strict';
  var TOKEN_KEY = 'mostrador-console:token';
  var token = null;
  var charts = {};

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
  ];
  var DRILL_TITLES = {
    contained: 'Resueltas por el bot', handed_off: 'Pasadas a personas', abandoned: 'Abandonos en cola',
    reopened: 'Reabiertas', complaints: 'Quejas', complaints_open: 'Quejas sin resolver',
    csat_low: 'CSAT ≤ 2', nps_detractors: 'NPS 0–6 (detractores)',
  };
  var definitions = {};

  function showError(text) {
    var box = $('error');
    box.textContent = text || '';
    box.hidden = !text;
  }

  function api(path) {
    return fetch(path, { headers: { Authorization: 'Bearer ' + token } }).then(function (response) {
      if (response.status === 401) { signOut(); throw new Error('Tu sesión ha caducado: entra de nuevo.'); }
      if (!response.ok) {
        return response.json().then(function (body) {
          throw new Error((body.error && body.error.message) || ('Error ' + response.status));
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
      label.textContent = def.title + (drill ? ' ▸' : '');
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
    var labels = found.groups.map(function (g) { return g.key === '' ? '(ninguno)' : g.key; });
    var pick = function (key) { return found.groups.map(function (g) { return g[key]; }); };
    var contained = found.groups.map(function (g) {
      return g.containment === null ? 0 : Math.round(g.containment * g.conversations);
    });
    chart('chart-volume', { type: 'bar', data: { labels: labels, datasets: [
      { label: 'Conversaciones', data: pick('conversations'), backgroundColor: '#8fb8de' },
      { label: 'Resueltas por el bot', data: contained, backgroundColor: '#0b6e4f' },
    ] } });
    chart('chart-csat', { type: 'bar', data: { labels: labels, datasets: [
      { label: 'Solo bot', data: pick('csat_bot'), backgroundColor: '#0b6e4f' },
      { label: 'Con persona', data: pick('csat_human'), backgroundColor: '#e0a030' },
    ] }, options: { scales: { y: { min: 0, max: 5 } } } });
    chart('chart-frt', { type: 'line', data: { labels: labels, datasets: [
      { label: 'Bot', data: pick('frt_bot_median'), borderColor: '#0b6e4f' },
      { label: 'Persona (horario laboral)', data: pick('frt_human_median'), borderColor: '#e0a030' },
    ] } });
    var reasons = found.total.handoffs_by_reason || {};
    chart('chart-reasons', { type: 'doughnut', data: { labels: Object.keys(reasons), datasets: [
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
        renderCards(found.total);
        renderCharts(found);
        document.body.dataset.loaded = 'yes';
      })
      .catch(function (e) { showError(e.message); });
  }

  function cell(text) {
    var td = document.createElement('td');
    td.textContent = text === null || text === undefined || text === '' ? '—' : String(text);
    return td;
  }

  function loadDrill(drill) {
    return api('/api/v1/reports/conversations?' + query({ drill: drill }))
      .then(function (r) { return r.json(); })
      .then(function (rows) {
        $('drill-title').textContent = DRILL_TITLES[drill] + ' (' + rows.length + ')';
        var body = $('drill-rows');
        body.textContent = '';
        rows.forEach(function (row) {
          var tr = document.createElement('tr');
          tr.append(cell(row.conversation_id), cell(row.channel), cell(row.created_at), cell(row.handoff_reason),
                    cell(row.agent || row.agent_id), cell(row.resolved_by), cell(row.csat), cell(row.nps));
          body.append(tr);
        });
        $('drill').hidden = false;
        $('drill').scrollIntoView({ block: 'nearest' });
      })
      .catch(function (e) { showError(e.message); });
  }

  function downloadCsv() {
    api('/api/v1/reports/conversations.csv?' + query())
      .then(function (r) { return r.blob(); })
      .then(function (blob) {
        var link = document.createElement('a');
        link.href = URL.createObjectURL(blob);
        link.download = 'conversaciones-' + $('start').value + '-' + $('end').value + '.csv';
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
        if (!response.ok) throw new Error((body.error && body.error.message) || 'No se pudo entrar');
        token = body.token;
        try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* this page only */ }
        return start();
      });
    }).catch(function (e) { showError(e.message); });
  }

  document.addEventListener('DOMContentLoaded', function () {
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
