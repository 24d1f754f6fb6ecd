/*
 * Mostrador agent console: the supervisors' view (supervisors and admins), and what every agent's console
 * does when a supervisor moves one of their conversations.
 *
 * GET /api/v1/agent/supervision (agents with status and load, everything waiting with the longest wait
 * first, every conversation in progress), POST /conversations/{id}/reassign and /take-over; live over the
 * agent socket: queue_changed, agents_changed, reassigned, wait_alert. Text only via textContent.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var el = app.dom.el;
  var clear = app.dom.clear;
  var t = app.i18n.t;

  var TEXT = {
    es: {
      open_view: 'Supervisión',
      back: 'Volver a mi cola',
      title: 'Supervisión',
      agents: 'Agentes',
      waiting: 'En espera · la espera más larga primero',
      assigned: 'En curso',
      nobody_waiting: 'Nadie espera ahora mismo.',
      nothing_assigned: 'Nadie atiende una conversación ahora mismo.',
      col_agent: 'Agente', col_status: 'Estado', col_load: 'Carga', col_langs: 'Idiomas', col_skills: 'Habilidades',
      col_role: 'Rol', col_conv: 'Conversación', col_wait: 'Espera', col_with: 'La atiende', col_actions: 'Acciones',
      load: function (n, max) { return n + ' de ' + max; },
      roles: { agent: 'Agente', supervisor: 'Supervisor', admin: 'Administrador' },
      assign: 'Asignar', reassign: 'Reasignar', take: 'Tomarla yo', view: 'Ver',
      assign_to: function (id) { return 'Asignar la conversación ' + id + ' a'; },
      pick: 'Elige agente…',
      alert: function (who, wait) { return who + ' lleva ' + wait + ' esperando.'; },
      alerts: 'Avisos',
      over: 'espera demasiado',
      dismiss: 'Descartar',
      moved_away: function (id, by, to) { return by + ' ha pasado la conversación ' + id + ' a ' + to + '.'; },
      moved_to_me: function (id, by) { return by + ' te ha asignado la conversación ' + id + '.'; },
      reassigned: function (id, to) { return 'La conversación ' + id + ' es ahora de ' + to + '.'; },
      errors: {
        supervisor_only: 'Solo un supervisor puede hacer esto.',
        already_assigned: 'Esa conversación ya es de esa persona.',
        not_handed_off: 'Esa conversación ya no espera ni la atiende nadie.',
        agent_unavailable: 'Ese agente está desactivado; elige a otra persona.',
        pick_agent: 'Elige a quién asignarla.'
      }
    },
    en: {
      open_view: 'Supervision',
      back: 'Back to my queue',
      title: 'Supervision',
      agents: 'Agents',
      waiting: 'Waiting · longest wait first',
      assigned: 'In progress',
      nobody_waiting: 'Nobody is waiting right now.',
      nothing_assigned: 'Nobody is handling a conversation right now.',
      col_agent: 'Agent', col_status: 'Status', col_load: 'Load', col_langs: 'Languages', col_skills: 'Skills',
      col_role: 'Role', col_conv: 'Conversation', col_wait: 'Waiting', col_with: 'Handled by', col_actions: 'Actions',
      load: function (n, max) { return n + ' of ' + max; },
      roles: { agent: 'Agent', supervisor: 'Supervisor', admin: 'Admin' },
      assign: 'Assign', reassign: 'Reassign', take: 'Take it myself', view: 'View',
      assign_to: function (id) { return 'Assign conversation ' + id + ' to'; },
      pick: 'Pick an agent…',
      alert: function (who, wait) { return who + ' has waited ' + wait + '.'; },
      alerts: 'Alerts',
      over: 'waiting too long',
      dismiss: 'Dismiss',
      moved_away: function (id, by, to) { return by + ' moved conversation ' + id + ' to ' + to + '.'; },
      moved_to_me: function (id, by) { return by + ' assigned conversation ' + id + ' to you.'; },
      reassigned: function (id, to) { return 'Conversation ' + id + ' is now ' + to + '’s.'; },
      errors: {
        supervisor_only: 'Only a supervisor may do this.',
        already_assigned: 'That conversation is already that person’s.',
        not_handed_off: 'That conversation is no longer waiting or being handled.',
        agent_unavailable: 'That agent is disabled; pick someone else.',
        pick_agent: 'Pick whom to assign it to.'
      }
    }
  };

  function s(key) {
    var table = TEXT[app.i18n.language()] || TEXT.es;
    return table[key] === undefined ? TEXT.es[key] : table[key];
  }

  function $(id) { return document.getElementById(id); }

  var state = { me: null, data: null, readAt: 0, alerts: {}, timer: null, poll: null, open: false };

  function isSupervisor(agent) { return !!agent && (agent.role === 'supervisor' || agent.role === 'admin'); }

  function failed(err) {
    var known = err && s('errors')[err.code];
    if (known) app.actions.showBanner(known);
    else app.actions.failed(err);
  }

  function duration(seconds) {
    var total = Math.max(0, Math.floor(seconds));
    var m = Math.floor(total / 60);
    var h = Math.floor(m / 60);
    if (h) return h + ' h ' + (m % 60) + ' min';
    if (m) return m + ' min ' + (total % 60) + ' s';
    return total + ' s';
  }

  // ---------------------------------------------------------------- rendering
  function table(caption, heads, rows, empty) {
    if (!rows.length) return el('p', { class: 'empty', text: empty });
    return el('table', { class: 'sup-table' }, [
      el('caption', { class: 'sr', text: caption }),
      el('thead', {}, [el('tr', {}, heads.map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
      el('tbody', {}, rows)
    ]);
  }

  function agentRow(agent) {
    var share = agent.max_concurrent ? Math.min(1, agent.active_conversations / agent.max_concurrent) : 1;
    var full = agent.active_conversations >= agent.max_concurrent;
    return el('tr', { 'data-agent': agent.id }, [
      el('th', { scope: 'row', text: agent.name }),
      el('td', {}, [el('span', { class: 'sup-status sup-' + agent.status, text: t(agent.status) })]),
      el('td', { class: 'sup-load' + (full ? ' sup-full' : '') }, [
        el('span', { class: 'sup-bar', 'aria-hidden': 'true' }, [
          el('span', { style: 'width:' + Math.round(share * 100) + '%' })
        ]),
        el('span', { text: s('load')(agent.active_conversations, agent.max_concurrent) })
      ]),
      el('td', { text: (agent.languages || []).join(', ').toUpperCase() }),
      el('td', { text: (agent.skills || []).join(', ') || '–' }),
      el('td', { text: s('roles')[agent.role] || agent.role })
    ]);
  }

  function agentChoice(entry) {
    var select = el('select', { class: 'sup-pick', 'aria-label': s('assign_to')(entry.conversation_id) }, [
      el('option', { value: '', text: s('pick') })
    ]);
    state.data.agents.forEach(function (agent) {
      if (agent.id === entry.agent_id) return;
      var label = agent.name + ' · ' + t(agent.status) + ' · ' + s('load')(agent.active_conversations, agent.max_concurrent);
      select.appendChild(el('option', { value: agent.id, text: label }));
    });
    return select;
  }

  function actions(entry, verb) {
    return el('td', { class: 'sup-actions' }, [
      agentChoice(entry),
      el('button', { type: 'button', class: 'btn btn-small', 'data-assign': entry.conversation_id, text: verb }),
      entry.agent_id === state.me.id ? null
        : el('button', { type: 'button', class: 'btn btn-small', 'data-take': entry.conversation_id, text: s('take') }),
      // Read it without taking it: the agent who has it sees "También la está viendo" (console-presence.js).
      el('button', { type: 'button', class: 'btn btn-quiet btn-small', 'data-view': entry.conversation_id, text: s('view') })
    ]);
  }

  function tags(entry) {
    return el('span', { class: 'q-meta' }, [
      el('span', { class: 'prio prio-' + entry.priority, text: t('priority')[entry.priority] || entry.priority }),
      el('span', { class: 'tag', text: (entry.language || '?').toUpperCase() }),
      el('span', { class: 'tag', text: entry.channel }),
      el('span', { class: 'tag tag-conv', text: t('conversation')(entry.conversation_id) })
    ]);
  }

  function waitingRow(entry) {
    var over = state.data.wait_alert_after > 0 && entry.waiting_seconds >= state.data.wait_alert_after;
    return el('tr', { 'data-conversation': entry.conversation_id, class: over ? 'sup-over' : '' }, [
      el('th', { scope: 'row' }, [
        el('span', { class: 'q-title', text: app.queueName(entry) }),
        el('span', { class: 'q-reason', text: t('reasons')[entry.reason] || entry.reason }),
        tags(entry)
      ]),
      el('td', {}, [
        el('span', { class: 'sup-wait', 'data-since': String(entry.waiting_seconds) }),
        over ? el('span', { class: 'sup-flag', text: s('over') }) : null
      ]),
      actions(entry, s('assign'))
    ]);
  }

  function assignedRow(entry) {
    var agent = state.data.agents.filter(function (a) { return a.id === entry.agent_id; })[0];
    return el('tr', { 'data-conversation': entry.conversation_id }, [
      el('th', { scope: 'row' }, [
        el('span', { class: 'q-title', text: app.queueName(entry) }),
        el('span', { class: 'q-reason', text: t('reasons')[entry.reason] || entry.reason }),
        tags(entry)
      ]),
      el('td', { class: 'sup-with', text: agent ? agent.name : '#' + entry.agent_id }),
      actions(entry, s('reassign'))
    ]);
  }

  function alertItem(alert) {
    return el('li', { class: 'sup-alert', 'data-conversation': alert.conversation_id }, [
      el('span', { text: '⚠ ' + s('alert')(app.queueName(alert), duration(alert.waiting_seconds)) }),
      el('button', { type: 'button', class: 'btn btn-small', 'data-take': alert.conversation_id, text: s('take') }),
      el('button', { type: 'button', class: 'btn btn-quiet btn-small', 'data-dismiss': alert.conversation_id, text: s('dismiss') })
    ]);
  }

  function card(id, title, body) {
    return el('section', { class: 'card sup-card', 'aria-labelledby': id }, [el('h3', { id: id, text: title }), body]);
  }

  function render() {
    var view = $('sup-view');
    var data = state.data;
    if (!data) return;
    var waitingIds = {};
    data.waiting.forEach(function (e) { waitingIds[e.conversation_id] = true; });
    Object.keys(state.alerts).forEach(function (id) { if (!waitingIds[id]) delete state.alerts[id]; });
    var alerts = Object.keys(state.alerts).map(function (id) { return state.alerts[id]; });
    var focused = document.activeElement && view.contains(document.activeElement) ? document.activeElement : null;
    var refocus = focused && (focused.getAttribute('data-assign') || focused.getAttribute('data-take'));
    var keep = focused && focused.className.indexOf('sup-pick') >= 0;
    if (keep) return; // never pull a list out from under someone choosing in it; the next change redraws
    clear(view);
    view.appendChild(el('div', { class: 'sup-head' }, [el('h2', { id: 'sup-title', text: s('title') })]));
    view.appendChild(el('ul', { id: 'sup-alerts', class: 'sup-alerts', 'aria-label': s('alerts'), hidden: !alerts.length },
      alerts.map(alertItem)));
    view.appendChild(el('div', { class: 'sup-grid' }, [
      card('sup-agents-title', s('agents'), table(s('agents'),
        [s('col_agent'), s('col_status'), s('col_load'), s('col_langs'), s('col_skills'), s('col_role')],
        data.agents.map(agentRow), '')),
      card('sup-waiting-title', s('waiting') + ' (' + data.waiting.length + ')', table(s('waiting'),
        [s('col_conv'), s('col_wait'), s('col_actions')], data.waiting.map(waitingRow), s('nobody_waiting'))),
      card('sup-assigned-title', s('assigned') + ' (' + data.assigned.length + ')', table(s('assigned'),
        [s('col_conv'), s('col_with'), s('col_actions')], data.assigned.map(assignedRow), s('nothing_assigned')))
    ]));
    var slot = el('div', { id: 'sup-admin' });
    view.appendChild(slot);
    if (app.admin) app.admin.render(slot);
    tick();
    if (refocus) {
      var again = view.querySelector('[data-assign="' + refocus + '"], [data-take="' + refocus + '"]');
      if (again) again.focus();
    }
  }

  function tick() {
    var elapsed = (Date.now() - state.readAt) / 1000;
    Array.prototype.forEach.call(document.querySelectorAll('.sup-wait'), function (node) {
      node.textContent = duration(Number(node.getAttribute('data-since')) + elapsed);
    });
  }

  // ---------------------------------------------------------------- data
  function load() {
    if (!state.open) return;
    app.actions.api('GET', '/supervision').then(function (data) {
      state.data = data;
      state.readAt = Date.now();
      data.waiting.forEach(function (entry) {
        if (data.wait_alert_after > 0 && entry.waiting_seconds >= data.wait_alert_after && !state.alerts[entry.conversation_id]) {
          state.alerts[entry.conversation_id] = entry;
        }
      });
      render();
    }, failed);
  }

  function soon() {
    clearTimeout(state.timer);
    state.timer = setTimeout(load, 150);
  }

  function show(open) {
    state.open = open;
    $('sup-view').hidden = !open;
    $('desk-view').hidden = open;
    $('sup-toggle').textContent = open ? s('back') : s('open_view');
    $('sup-toggle').setAttribute('aria-pressed', open ? 'true' : 'false');
    clearInterval(state.poll);
    if (open) {
      load();
      state.poll = setInterval(load, 30000); // waits tick locally; this catches anything a frame missed
    }
  }

  function move(conversationId, agentId) {
    var path = '/conversations/' + conversationId + (agentId ? '/reassign' : '/take-over');
    app.actions.api('POST', path, agentId ? { agent_id: agentId } : undefined).then(function (entry) {
      delete state.alerts[conversationId];
      var to = state.data.agents.filter(function (a) { return a.id === entry.agent_id; })[0];
      app.actions.announce(s('reassigned')(conversationId, to ? to.name : state.me.name));
      app.actions.loadQueue();
      if (!agentId) { // taken over: straight to the conversation, to answer the customer
        show(false);
        app.actions.open(conversationId);
        return;
      }
      load();
    }, function (err) { failed(err); load(); });
  }

  $('sup-view').addEventListener('click', function (e) {
    var assign = e.target.closest('[data-assign]');
    var take = e.target.closest('[data-take]');
    var dismiss = e.target.closest('[data-dismiss]');
    var view = e.target.closest('[data-view]');
    if (view) {
      show(false);
      app.actions.open(Number(view.getAttribute('data-view')));
    } else if (assign) {
      var pick = assign.parentNode.querySelector('.sup-pick');
      var agentId = Number(pick && pick.value);
      if (!agentId) { app.actions.showBanner(s('errors').pick_agent); return; }
      move(Number(assign.getAttribute('data-assign')), agentId);
    } else if (take) {
      move(Number(take.getAttribute('data-take')), null);
    } else if (dismiss) {
      delete state.alerts[dismiss.getAttribute('data-dismiss')];
      render();
    }
  });

  $('sup-toggle').addEventListener('click', function () { show(!state.open); });

  // ---------------------------------------------------------------- live
  function onFrame(frame) {
    var me = app.actions.agent();
    if (frame.type === 'reassigned' && me) {
      if (frame.from_agent_id === me.id && frame.by_agent_id !== me.id) {
        if (app.actions.current() === frame.conversation_id) app.actions.close();
        app.actions.showBanner(s('moved_away')(frame.conversation_id, frame.by_agent_name, frame.to_agent_name));
      } else if (frame.to_agent_id === me.id && frame.by_agent_id !== me.id) {
        app.actions.announce(s('moved_to_me')(frame.conversation_id, frame.by_agent_name));
      }
    }
    if (!isSupervisor(me)) return;
    if (frame.type === 'wait_alert') {
      state.alerts[frame.conversation_id] = frame;
      if (!state.open) app.actions.showBanner('⚠ ' + s('alert')(app.queueName(frame), duration(frame.waiting_seconds)));
    }
    if (state.open && ['queue_changed', 'agents_changed', 'reassigned', 'wait_alert', 'subscribed'].indexOf(frame.type) >= 0) soon();
  }

  app.hooks.frame.push(onFrame);
  app.hooks.start.push(function (agent) {
    state.me = agent;
    state.alerts = {};
    $('sup-toggle').hidden = !isSupervisor(agent);
    $('sup-toggle').textContent = s('open_view');
  });
  app.hooks.stop.push(function () {
    if (state.open) show(false);
    state.me = null;
    state.data = null;
    $('sup-toggle').hidden = true;
  });
  $('lang').addEventListener('change', function () {
    if (!state.me) return;
    $('sup-toggle').textContent = state.open ? s('back') : s('open_view');
    render();
  });

  setInterval(tick, 1000);
  app.supervision = { reload: load, text: s, failed: failed };
})();
