/*
 * «Aprendido» in the FAQ editor (GET /faq): what the learning runs did (python -m learning learn: date,
 * trigger, outcome, labels used, held-out correct/wrong before→after; GET /api/v1/learning/runs) and the
 * examples they learned (customer wording → FAQ entry; GET /api/v1/learning/examples). Admins remove an
 * example («Quitar», DELETE /api/v1/learning/examples/{id}): the hub rebuilds the index without it and the
 * page follows it (GET /api/v1/learning/examples/removal) until the bot no longer uses it. Supervisors read;
 * plain agents see none of it. Plain ES2020, no build; faq.js calls window.faqLearned.start/render/stop.
 */
(function () {
  'use strict';
  var API = '/api/v1/learning';
  var ctx = null;        // {api, el, showError, admin}
  var runs = [];
  var examples = [];
  var poll = null;
  var $ = function (id) { return document.getElementById(id); };
  var T = function (key, values) { return window.faqText.t(key, values); };

  function when(iso) { return iso ? new Date(iso).toLocaleString(window.faqText.lang()) : ''; }

  function load() {
    if (!ctx) return Promise.resolve();
    return Promise.all([ctx.api(API + '/runs?limit=20'), ctx.api(API + '/examples')]).then(function (got) {
      runs = got[0]; examples = got[1]; render();
    }).catch(function (e) { ctx.showError(e.message); });
  }

  // "Ya conocidas: correctas 10→10, erróneas 1→1 de 20"
  function heldOut(run) {
    return ['known', 'new'].filter(function (g) { return run.before[g] && run.after[g]; }).map(function (g) {
      var b = run.before[g], a = run.after[g];
      return T('group_' + g) + ': ' + T('held_out', { c0: b.correct, c1: a.correct, w0: b.wrong, w1: a.wrong, n: a.n });
    }).join(' · ') || '—';
  }

  function renderRuns() {
    var body = $('runs');
    body.textContent = '';
    $('no-runs').hidden = runs.length > 0;
    runs.forEach(function (r) {
      var trigger = T('trigger_' + r.trigger);
      body.appendChild(ctx.el('tr', { 'data-run': r.id }, [
        ctx.el('td', { text: '#' + r.id + ' · ' + when(r.started_at) }),
        ctx.el('td', { text: trigger === 'trigger_' + r.trigger ? r.trigger : trigger }),
        ctx.el('td', { class: 'outcome ' + r.outcome, 'data-outcome': r.outcome, title: r.reason, text: T('outcome_' + r.outcome) }),
        ctx.el('td', { text: String(r.label_ids.length), title: r.label_ids.join(', ') }),
        ctx.el('td', { class: 'held', text: heldOut(r) }),
      ]));
    });
  }

  function renderExamples() {
    var list = $('learned-examples');
    list.textContent = '';
    $('no-examples').hidden = examples.length > 0;
    examples.forEach(function (x) {
      var target = x.expected === null ? T('no_faq')
        : (x.question ? x.question + ' (' + x.expected + ')' : x.expected);
      var item = ctx.el('li', { 'data-example': x.id }, [
        ctx.el('span', { class: 'said', text: '«' + x.text + '»' }),
        ctx.el('span', { class: 'arrow', text: '→' }),
        ctx.el('span', { class: 'target', text: target }),
        ctx.el('span', { class: 'muted', text: x.lang + ' · ' + when(x.created_at) + ' · ' + T('run_n', { id: x.run_id }) }),
      ]);
      if (ctx.admin) {
        var button = ctx.el('button', { type: 'button', class: 'danger', text: T('remove') });
        button.addEventListener('click', function () { remove(x, button); });
        item.appendChild(button);
      }
      list.appendChild(item);
    });
  }

  function render() {
    if (!ctx) return;
    $('learned-readonly').hidden = ctx.admin;
    renderRuns(); renderExamples();
  }

  function say(text) { $('learned-status').textContent = text; }

  // until the bot no longer loads it (in_bot 0; read from disk, whichever hub process rebuilds), a failure,
  // or ten minutes (another process still rebuilding, or none can: the next learning run removes it)
  function follow(tries) {
    clearTimeout(poll);
    if (!ctx) return;
    ctx.api(API + '/examples/removal').then(function (s) {
      if (s.state !== 'rebuilding' && s.in_bot === 0) say(T('removed_done'));
      else if (s.state === 'failed') say(T('removed_failed', { error: s.error }));
      else if (tries >= 600) say(T('removed_next_run'));
      else poll = setTimeout(function () { follow(tries + 1); }, 1000);
    }).catch(function (e) { ctx.showError(e.message); });
  }

  function remove(x, button) {
    if (!window.confirm(T('confirm_remove', { text: x.text }))) return;
    button.disabled = true;
    ctx.api(API + '/examples/' + x.id, { method: 'DELETE' }).then(function (done) {
      examples = examples.filter(function (e) { return e.id !== x.id; });
      renderExamples();
      if (done.takes_effect === 'rebuilding') { say(T('removing')); follow(0); } else say(T('removed_next_run'));
    }).catch(function (e) { button.disabled = false; ctx.showError(e.message); });
  }

  window.faqLearned = {
    /* role: the agent's; api/el/showError: faq.js's helpers */
    start: function (role, api, el, showError) {
      var allowed = role === 'supervisor' || role === 'admin';
      $('learned').hidden = !allowed; $('learned-link').hidden = !allowed;
      ctx = allowed ? { api: api, el: el, showError: showError, admin: role === 'admin' } : null;
      say('');
      return load();
    },
    render: render,
    stop: function () { clearTimeout(poll); ctx = null; runs = []; examples = [];
      $('learned').hidden = true; $('learned-link').hidden = true; },
  };
}());
