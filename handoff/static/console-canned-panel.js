/*
 * Mostrador agent console: the "Respuestas predefinidas / Canned replies" panel (a dialog from the
 * header): the replies the agent sees, and making, changing and deleting them through
 * /api/v1/agent/canned-replies. Shared replies are for supervisors and admins; everyone keeps personal
 * ones. The server checks every rule; its error is shown in the panel and nothing typed is lost.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var t = app.i18n.t;
  var el = app.dom.el;
  var clear = app.dom.clear;

  app.i18n.extend({
    es: {
      cp_open: 'Respuestas predefinidas',
      cp_title: 'Respuestas predefinidas',
      cp_close: 'Cerrar',
      cp_new: 'Nueva respuesta',
      cp_edit: 'Editar',
      cp_delete: 'Borrar',
      cp_confirm_delete: function (s) { return '¿Borrar la respuesta «/' + s + '»?'; },
      cp_shortcut: 'Atajo (se escribe tras «/»)',
      cp_name: 'Título',
      cp_text_es: 'Texto en español',
      cp_text_en: 'Texto en inglés',
      cp_scope: 'Quién la ve',
      cp_vars: 'Variables: {{nombre}}, {{pedido}}, {{agente}} (en inglés {{customer_name}}, {{order_number}}, {{agent_name}}).',
      cp_save: 'Guardar',
      cp_cancel: 'Cancelar',
      cp_saved: 'Respuesta guardada.',
      cp_deleted: 'Respuesta borrada.',
      cp_none: 'No hay ninguna todavía.',
      errors: {
        canned_shortcut_taken: 'Ya tienes una respuesta con ese atajo. Elige otro.',
        canned_shared_supervisors_only: 'Solo un supervisor puede crear o cambiar las respuestas compartidas.',
        canned_not_found: 'Esa respuesta ya no existe.',
        canned_limit: 'Has llegado al máximo de respuestas. Borra alguna antes.'
      },
      cp_invalid: 'Revisa los campos'
    },
    en: {
      cp_open: 'Canned replies',
      cp_title: 'Canned replies',
      cp_close: 'Close',
      cp_new: 'New reply',
      cp_edit: 'Edit',
      cp_delete: 'Delete',
      cp_confirm_delete: function (s) { return 'Delete the reply "/' + s + '"?'; },
      cp_shortcut: 'Shortcut (typed after "/")',
      cp_name: 'Title',
      cp_text_es: 'Spanish text',
      cp_text_en: 'English text',
      cp_scope: 'Who sees it',
      cp_vars: 'Variables: {{customer_name}}, {{order_number}}, {{agent_name}} (in Spanish {{nombre}}, {{pedido}}, {{agente}}).',
      cp_save: 'Save',
      cp_cancel: 'Cancel',
      cp_saved: 'Reply saved.',
      cp_deleted: 'Reply deleted.',
      cp_none: 'None yet.',
      errors: {
        canned_shortcut_taken: 'You already have a reply with that shortcut. Pick another.',
        canned_shared_supervisors_only: 'Only a supervisor can make or change shared replies.',
        canned_not_found: 'That reply no longer exists.',
        canned_limit: 'You reached the maximum of replies. Delete one first.'
      },
      cp_invalid: 'Check the fields'
    }
  });

  var dialog = el('dialog', { id: 'canned-panel', class: 'canned-panel', 'aria-labelledby': 'cp-title' });
  var opener = el('button', { type: 'button', id: 'canned-open', class: 'btn btn-quiet' });
  var me = document.getElementById('me');
  me.insertBefore(opener, document.getElementById('logout'));
  document.body.appendChild(dialog);
  var editing = null; // the reply being changed, or null for a new one

  function field(id, label, input) {
    input.id = id;
    return el('div', { class: 'cp-field' }, [el('label', { for: id, text: label }), input]);
  }

  function errorText(err) {
    var known = t('errors')[err.code];
    if (err.code === 'invalid_request') return t('cp_invalid') + '. ' + (err.message || '');
    return known || t('errors').other + (err.message ? ': ' + err.message : '.');
  }

  function formFor(reply) {
    var agent = app.actions.agent() || {};
    var mayShare = agent.role === 'supervisor' || agent.role === 'admin';
    var scope = el('select', {}, [el('option', { value: 'personal', text: t('canned_scope').personal })]);
    if (mayShare) scope.appendChild(el('option', { value: 'shared', text: t('canned_scope').shared }));
    scope.value = reply ? reply.scope : 'personal';
    scope.disabled = !!reply; // a reply keeps its scope
    var texts = (reply && reply.texts) || {};
    var error = el('p', { class: 'form-error', role: 'alert', hidden: true });
    var form = el('form', { class: 'cp-form', novalidate: true }, [
      el('h3', { text: reply ? t('cp_edit') + ' /' + reply.shortcut : t('cp_new') }),
      error,
      field('cp-shortcut', t('cp_shortcut'), el('input', { type: 'text', maxlength: 33, value: reply ? reply.shortcut : '' })),
      field('cp-name', t('cp_name'), el('input', { type: 'text', maxlength: 80, value: reply ? reply.title : '' })),
      field('cp-text-es', t('cp_text_es'), el('textarea', { rows: 3, maxlength: 2000 })),
      field('cp-text-en', t('cp_text_en'), el('textarea', { rows: 3, maxlength: 2000 })),
      el('p', { class: 'muted cp-vars', text: t('cp_vars') }),
      field('cp-scope', t('cp_scope'), scope),
      el('div', { class: 'row' }, [
        el('button', { type: 'submit', class: 'btn btn-primary', text: t('cp_save') }),
        el('button', { type: 'button', class: 'btn cp-cancel', text: t('cp_cancel') })
      ])
    ]);
    form.querySelector('#cp-text-es').value = texts.es || '';
    form.querySelector('#cp-text-en').value = texts.en || '';
    form.querySelector('.cp-cancel').addEventListener('click', function () { editing = null; render(); });
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var body = {
        shortcut: form.querySelector('#cp-shortcut').value,
        title: form.querySelector('#cp-name').value,
        texts: {},
        scope: scope.value
      };
      ['es', 'en'].forEach(function (lang) {
        var text = form.querySelector('#cp-text-' + lang).value.trim();
        if (text) body.texts[lang] = text;
      });
      var call = reply ? app.actions.api('PUT', '/canned-replies/' + reply.id, body)
        : app.actions.api('POST', '/canned-replies', body);
      call.then(function () {
        editing = null;
        render(t('cp_saved'));
        if (app.canned) app.canned.reload();
      }, function (err) {
        if (err.code === 'not_authenticated') return app.actions.failed(err);
        error.textContent = errorText(err); // what was typed stays in the form
        error.hidden = false;
      });
    });
    return form;
  }

  function row(reply) {
    var actions = [];
    if (reply.editable) {
      var edit = el('button', { type: 'button', class: 'btn btn-small', text: t('cp_edit'), 'aria-label': t('cp_edit') + ' /' + reply.shortcut });
      var remove = el('button', { type: 'button', class: 'btn btn-small', text: t('cp_delete'), 'aria-label': t('cp_delete') + ' /' + reply.shortcut });
      edit.addEventListener('click', function () { editing = reply; render(); });
      remove.addEventListener('click', function () {
        if (!window.confirm(t('cp_confirm_delete')(reply.shortcut))) return;
        app.actions.api('DELETE', '/canned-replies/' + reply.id).then(function () {
          render(t('cp_deleted'));
          if (app.canned) app.canned.reload();
        }, app.actions.failed);
      });
      actions = [edit, ' ', remove];
    }
    var langs = Object.keys(reply.texts).map(function (l) { return l.toUpperCase(); }).join(' · ');
    return el('li', { class: 'cp-item', 'data-shortcut': reply.shortcut }, [
      el('div', { class: 'cp-item-head' }, [
        el('span', { class: 'canned-key', text: '/' + reply.shortcut }),
        el('span', { class: 'canned-title', text: reply.title }),
        el('span', { class: 'tag', text: t('canned_scope')[reply.scope] + ' · ' + langs }),
        el('span', { class: 'cp-actions' }, actions)
      ]),
      el('p', { class: 'canned-text', text: reply.texts.es || reply.texts.en || '' })
    ]);
  }

  function render(done) {
    var body = dialog.querySelector('.cp-body');
    app.actions.api('GET', '/canned-replies').then(function (replies) {
      clear(body);
      if (done) body.appendChild(el('p', { class: 'cp-done', 'aria-live': 'polite', text: done }));
      body.appendChild(replies.length ? el('ul', { class: 'cp-list' }, replies.map(row)) : el('p', { class: 'muted', text: t('cp_none') }));
      body.appendChild(formFor(editing));
      if (editing) body.querySelector('#cp-shortcut').focus();
    }, app.actions.failed);
  }

  function build() {
    clear(dialog);
    opener.textContent = t('cp_open');
    var closer = el('button', { type: 'button', class: 'btn btn-quiet', text: t('cp_close') });
    closer.addEventListener('click', function () { dialog.close(); });
    dialog.appendChild(el('div', { class: 'cp-head' }, [el('h2', { id: 'cp-title', text: t('cp_title') }), closer]));
    dialog.appendChild(el('div', { class: 'cp-body' }));
  }

  opener.addEventListener('click', function () {
    editing = null;
    build();
    dialog.showModal();
    render();
  });
  dialog.addEventListener('close', function () { document.getElementById('reply').focus(); });
  document.getElementById('lang').addEventListener('change', function () { setTimeout(build, 0); });
  build();
})();
