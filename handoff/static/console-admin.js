/*
 * Mostrador agent console: admins manage the agents, inside the supervisors' view (console-supervisor.js).
 *
 * GET /api/v1/agent/agents (disabled ones too, for an admin), POST /agents, PATCH /agents/{id} (name,
 * role, languages, skills, capacity, disabled), POST /agents/{id}/password (a temporary one). The card
 * is built once and kept, so a form being filled in survives the view's live redraws.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var el = app.dom.el;
  var clear = app.dom.clear;
  var t = app.i18n.t;

  var TEXT = {
    es: {
      title: 'Gestionar agentes',
      new_agent: 'Nuevo agente',
      edit: 'Editar', save: 'Guardar cambios', create: 'Crear agente', cancel: 'Cancelar',
      disable: 'Desactivar', enable: 'Activar', disabled: 'Desactivado',
      reset: 'Nueva contraseña', set_password: 'Guardar contraseña',
      name: 'Nombre', email: 'Correo electrónico', password: 'Contraseña temporal (mín. 8 caracteres)',
      role: 'Rol', languages: 'Idiomas (p. ej. es, en)', skills: 'Habilidades (p. ej. pedidos, facturación)',
      capacity: 'Conversaciones a la vez',
      editing: function (name) { return 'Editar a ' + name; },
      reset_for: function (name) { return 'Nueva contraseña temporal para ' + name; },
      created: function (name) { return name + ' ya puede entrar con la contraseña temporal.'; },
      saved: function (name) { return 'Cambios de ' + name + ' guardados.'; },
      disabled_done: function (name) { return name + ' está desactivado: sus sesiones se han cerrado y sus conversaciones han vuelto a la cola.'; },
      enabled_done: function (name) { return name + ' puede volver a entrar.'; },
      password_done: function (name) { return 'Contraseña de ' + name + ' cambiada; díselo y sus sesiones abiertas se han cerrado.'; },
      confirm_disable: function (name) { return '¿Desactivar a ' + name + '? Se cerrarán sus sesiones y sus conversaciones volverán a la cola.'; },
      errors: {
        admin_only: 'Solo un administrador puede gestionar agentes.',
        agent_email_taken: 'Ya hay un agente con ese correo.',
        own_account: 'No puedes desactivarte ni quitarte el rol de administrador; pídeselo a otro administrador.',
        invalid_request: 'Revisa el formulario: correo válido, contraseña de al menos 8 caracteres, idiomas como «es, en».'
      }
    },
    en: {
      title: 'Manage agents',
      new_agent: 'New agent',
      edit: 'Edit', save: 'Save changes', create: 'Create agent', cancel: 'Cancel',
      disable: 'Disable', enable: 'Enable', disabled: 'Disabled',
      reset: 'New password', set_password: 'Save password',
      name: 'Name', email: 'Email', password: 'Temporary password (8+ characters)',
      role: 'Role', languages: 'Languages (e.g. es, en)', skills: 'Skills (e.g. orders, billing)',
      capacity: 'Conversations at once',
      editing: function (name) { return 'Edit ' + name; },
      reset_for: function (name) { return 'New temporary password for ' + name; },
      created: function (name) { return name + ' can now log in with the temporary password.'; },
      saved: function (name) { return name + '’s changes saved.'; },
      disabled_done: function (name) { return name + ' is disabled: their sessions ended and their conversations went back to the queue.'; },
      enabled_done: function (name) { return name + ' can log in again.'; },
      password_done: function (name) { return name + '’s password changed; tell them. Their open sessions ended.'; },
      confirm_disable: function (name) { return 'Disable ' + name + '? Their sessions end and their conversations go back to the queue.'; },
      errors: {
        admin_only: 'Only an admin may manage agents.',
        agent_email_taken: 'An agent with that email already exists.',
        own_account: 'You cannot disable yourself or drop your own admin role; ask another admin.',
        invalid_request: 'Check the form: a valid email, a password of 8+ characters, languages like "es, en".'
      }
    }
  };

  function s(key) {
    var table = TEXT[app.i18n.language()] || TEXT.es;
    return table[key] === undefined ? TEXT.es[key] : table[key];
  }

  var ROLES = ['agent', 'supervisor', 'admin'];
  var state = { me: null, agents: [], mode: null, target: null, node: null };

  function failed(err) {
    var known = err && s('errors')[err.code];
    if (known) app.actions.showBanner(known + (err.code === 'invalid_request' && err.message ? ' (' + err.message + ')' : ''));
    else app.actions.failed(err);
  }

  function list(text) {
    return String(text || '').split(',').map(function (x) { return x.trim(); }).filter(Boolean);
  }

  function field(id, label, input) {
    input.id = id;
    return el('div', { class: 'adm-field' }, [el('label', { for: id, text: label }), input]);
  }

  function form() {
    var agent = state.target || {};
    var creating = state.mode === 'create';
    var role = el('select', {}, ROLES.map(function (r) {
      return el('option', { value: r, text: app.supervision.text('roles')[r], selected: (agent.role || 'agent') === r });
    }));
    var fields = [
      field('adm-name', s('name'), el('input', { type: 'text', maxlength: '200', required: true, value: agent.name || '' })),
      creating ? field('adm-email', s('email'), el('input', { type: 'email', maxlength: '254', required: true })) : null,
      creating ? field('adm-password', s('password'), el('input', { type: 'text', minlength: '8', autocomplete: 'new-password', required: true })) : null,
      field('adm-role', s('role'), role),
      field('adm-languages', s('languages'), el('input', { type: 'text', value: (agent.languages || ['es']).join(', ') })),
      field('adm-skills', s('skills'), el('input', { type: 'text', value: (agent.skills || []).join(', ') })),
      field('adm-capacity', s('capacity'), el('input', { type: 'number', min: '1', max: '50', value: String(agent.max_concurrent || 3) }))
    ];
    return el('form', { id: 'adm-form', class: 'adm-form', 'aria-label': creating ? s('new_agent') : s('editing')(agent.name) }, [
      el('h4', { text: creating ? s('new_agent') : s('editing')(agent.name) })
    ].concat(fields, [el('div', { class: 'adm-buttons' }, [
      el('button', { type: 'submit', class: 'btn btn-primary', text: creating ? s('create') : s('save') }),
      el('button', { type: 'button', class: 'btn btn-quiet', 'data-cancel': '1', text: s('cancel') })
    ])]));
  }

  function passwordForm() {
    return el('form', { id: 'adm-password-form', class: 'adm-form', 'aria-label': s('reset_for')(state.target.name) }, [
      el('h4', { text: s('reset_for')(state.target.name) }),
      field('adm-new-password', s('password'), el('input', { type: 'text', minlength: '8', autocomplete: 'new-password', required: true })),
      el('div', { class: 'adm-buttons' }, [
        el('button', { type: 'submit', class: 'btn btn-primary', text: s('set_password') }),
        el('button', { type: 'button', class: 'btn btn-quiet', 'data-cancel': '1', text: s('cancel') })
      ])
    ]);
  }

  function row(agent) {
    var off = agent.disabled;
    return el('tr', { 'data-admin-agent': agent.id, class: off ? 'adm-off' : '' }, [
      el('th', { scope: 'row' }, [el('span', { text: agent.name }), el('span', { class: 'muted adm-email', text: agent.email })]),
      el('td', { text: off ? s('disabled') : t(agent.status) }),
      el('td', { text: app.supervision.text('roles')[agent.role] || agent.role }),
      el('td', { text: agent.languages.join(', ').toUpperCase() + (agent.skills.length ? ' · ' + agent.skills.join(', ') : '') }),
      el('td', { text: String(agent.max_concurrent) }),
      el('td', { class: 'sup-actions' }, [
        el('button', { type: 'button', class: 'btn btn-small', 'data-edit': agent.id, text: s('edit') }),
        el('button', { type: 'button', class: 'btn btn-small', 'data-password': agent.id, text: s('reset') }),
        agent.id === state.me.id ? null : el('button', {
          type: 'button', class: 'btn btn-small', 'data-toggle': agent.id, text: off ? s('enable') : s('disable')
        })
      ])
    ]);
  }

  function draw() {
    var node = state.node;
    clear(node);
    node.appendChild(el('div', { class: 'adm-head' }, [
      el('h3', { id: 'adm-title', text: s('title') }),
      el('button', { type: 'button', class: 'btn btn-primary btn-small', 'data-new': '1', text: s('new_agent') })
    ]));
    if (state.mode === 'password') node.appendChild(passwordForm());
    else if (state.mode) node.appendChild(form());
    var s2 = app.supervision.text;
    node.appendChild(el('table', { class: 'sup-table' }, [
      el('caption', { class: 'sr', text: s('title') }),
      el('thead', {}, [el('tr', {}, [s2('col_agent'), s2('col_status'), s2('col_role'), s2('col_langs'), s('capacity'), s2('col_actions')]
        .map(function (h) { return el('th', { scope: 'col', text: h }); }))]),
      el('tbody', {}, state.agents.map(row))
    ]));
    var first = node.querySelector('#adm-form input, #adm-password-form input');
    if (first && state.focusForm) { first.focus(); state.focusForm = false; }
  }

  function reload() {
    return app.actions.api('GET', '/agents').then(function (agents) {
      state.agents = agents;
      if (!state.mode) draw();
    }, failed);
  }

  function done(text) {
    state.mode = null;
    state.target = null;
    app.actions.announce(text);
    reload().then(draw);
    app.supervision.reload();
  }

  function byId(id) { return state.agents.filter(function (a) { return a.id === Number(id); })[0]; }

  function value(id) { return document.getElementById(id).value; }

  function build() {
    var node = el('section', { class: 'card sup-card adm', 'aria-labelledby': 'adm-title' });
    node.addEventListener('click', function (e) {
      var b = e.target.closest('button');
      if (!b) return;
      if (b.hasAttribute('data-new')) { state.mode = 'create'; state.target = null; state.focusForm = true; draw(); }
      else if (b.hasAttribute('data-cancel')) { state.mode = null; state.target = null; draw(); }
      else if (b.hasAttribute('data-edit')) { state.mode = 'edit'; state.target = byId(b.getAttribute('data-edit')); state.focusForm = true; draw(); }
      else if (b.hasAttribute('data-password')) { state.mode = 'password'; state.target = byId(b.getAttribute('data-password')); state.focusForm = true; draw(); }
      else if (b.hasAttribute('data-toggle')) {
        var agent = byId(b.getAttribute('data-toggle'));
        if (!agent.disabled && !window.confirm(s('confirm_disable')(agent.name))) return;
        app.actions.api('PATCH', '/agents/' + agent.id, { disabled: !agent.disabled }).then(function (changed) {
          done(changed.disabled ? s('disabled_done')(changed.name) : s('enabled_done')(changed.name));
        }, failed);
      }
    });
    node.addEventListener('submit', function (e) {
      e.preventDefault();
      if (e.target.id === 'adm-password-form') {
        var target = state.target;
        app.actions.api('POST', '/agents/' + target.id + '/password', { password: value('adm-new-password') })
          .then(function () { done(s('password_done')(target.name)); }, failed);
        return;
      }
      var body = {
        name: value('adm-name').trim(),
        role: value('adm-role'),
        languages: list(value('adm-languages')),
        skills: list(value('adm-skills')),
        max_concurrent: Number(value('adm-capacity')) || 0
      };
      if (state.mode === 'create') {
        body.email = value('adm-email').trim();
        body.password = value('adm-password');
        app.actions.api('POST', '/agents', body).then(function (agent) { done(s('created')(agent.name)); }, failed);
      } else {
        app.actions.api('PATCH', '/agents/' + state.target.id, body).then(function (agent) { done(s('saved')(agent.name)); }, failed);
      }
    });
    return node;
  }

  app.hooks.start.push(function (agent) {
    state.me = agent;
    state.mode = null;
    state.node = null;
  });

  app.admin = {
    // Called by the supervisors' view on each redraw: the admin's card, kept across redraws.
    render: function (slot) {
      if (!state.me || state.me.role !== 'admin') return;
      if (!state.node) {
        state.node = build();
        reload();
      }
      slot.appendChild(state.node);
      if (!state.mode) reload();
    }
  };
})();
