/*
 * Mostrador agent console: an agent whose password an admin set (a new account, a reset) chooses their own
 * before anything else (PUT /api/v1/agent/me/password). Text only via textContent.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var el = app.dom.el;

  var TEXT = {
    es: {
      title: 'Elige tu contraseña',
      why: 'Has entrado con una contraseña temporal que te ha dado un administrador. Elige la tuya para seguir.',
      current: 'Contraseña temporal', next: 'Nueva contraseña (mín. 8 caracteres)', repeat: 'Repite la nueva contraseña',
      save: 'Guardar mi contraseña', done: 'Contraseña cambiada. Tus otras sesiones se han cerrado.',
      errors: {
        mismatch: 'Las dos contraseñas nuevas no coinciden.',
        short: 'La nueva contraseña necesita al menos 8 caracteres.',
        wrong_password: 'La contraseña temporal no es correcta.',
        password_unchanged: 'La nueva contraseña debe ser distinta de la temporal.'
      }
    },
    en: {
      title: 'Choose your password',
      why: 'You logged in with a temporary password an admin gave you. Choose your own to go on.',
      current: 'Temporary password', next: 'New password (8+ characters)', repeat: 'Repeat the new password',
      save: 'Save my password', done: 'Password changed. Your other sessions were ended.',
      errors: {
        mismatch: 'The two new passwords differ.',
        short: 'The new password needs at least 8 characters.',
        wrong_password: 'The temporary password is wrong.',
        password_unchanged: 'The new password must differ from the temporary one.'
      }
    }
  };

  function s(key) {
    var table = TEXT[app.i18n.language()] || TEXT.es;
    return table[key] === undefined ? TEXT.es[key] : table[key];
  }

  var dialog = null;

  function field(id, label) {
    return el('div', { class: 'adm-field' }, [
      el('label', { for: id, text: label }),
      el('input', { id: id, type: 'password', autocomplete: id === 'pw-current' ? 'current-password' : 'new-password', required: true })
    ]);
  }

  function close() {
    if (dialog) dialog.remove();
    dialog = null;
  }

  function open() {
    close();
    var error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    var form = el('form', { class: 'card pw-card', 'aria-labelledby': 'pw-title' }, [
      el('h2', { id: 'pw-title', text: s('title') }),
      el('p', { text: s('why') }),
      error,
      field('pw-current', s('current')),
      field('pw-new', s('next')),
      field('pw-repeat', s('repeat')),
      el('button', { type: 'submit', class: 'btn btn-primary', text: s('save') })
    ]);
    dialog = el('div', { class: 'pw-backdrop', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'pw-title' }, [form]);
    document.body.appendChild(dialog);
    function fail(text) { error.textContent = text; error.hidden = false; }
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var next = document.getElementById('pw-new').value;
      if (next.length < 8) return fail(s('errors').short);
      if (next !== document.getElementById('pw-repeat').value) return fail(s('errors').mismatch);
      var body = { current_password: document.getElementById('pw-current').value, new_password: next };
      app.actions.api('PUT', '/me/password', body).then(function () {
        close();
        app.actions.announce(s('done'));
      }, function (err) {
        var known = err && s('errors')[err.code];
        if (known) fail(known);
        else { close(); app.actions.failed(err); }
      });
    });
    document.getElementById('pw-current').focus();
  }

  app.hooks.start.push(function (agent) { if (agent.must_change_password) open(); else close(); });
  app.hooks.stop.push(close);
})();
