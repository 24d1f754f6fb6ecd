/*
 * Mostrador agent console: the open conversation's labels (under its title): each with a × to remove
 * it, and a field to add one (suggesting the labels in use). The queue lists show them too (console.js).
 * API: GET/POST /api/v1/agent/conversations/{id}/labels, DELETE .../labels/{label}, GET /labels.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var t = app.i18n.t;
  var el = app.dom.el;
  var clear = app.dom.clear;

  app.i18n.extend({
    es: {
      labels: 'Etiquetas',
      label_add: 'Añadir etiqueta',
      label_placeholder: 'p. ej. reembolso',
      label_remove: function (l) { return 'Quitar la etiqueta ' + l; },
      errors: {
        too_many_labels: 'Una conversación lleva como mucho 10 etiquetas. Quita alguna antes.',
        label_not_found: 'Esa etiqueta ya no estaba.',
        label_invalid: 'Una etiqueta lleva letras, números, espacios, - o _ (hasta 40).'
      }
    },
    en: {
      labels: 'Labels',
      label_add: 'Add label',
      label_placeholder: 'e.g. refund',
      label_remove: function (l) { return 'Remove the label ' + l; },
      errors: {
        too_many_labels: 'A conversation has at most 10 labels. Remove one first.',
        label_not_found: 'That label was already gone.',
        label_invalid: 'A label has letters, digits, spaces, - or _ (up to 40).'
      }
    }
  });

  var conv = null;
  var list = el('ul', { class: 'labels', 'aria-live': 'polite' });
  var input = el('input', { id: 'label-new', type: 'text', maxlength: 40, list: 'labels-in-use', autocomplete: 'off' });
  var known = el('datalist', { id: 'labels-in-use' });
  var add = el('button', { type: 'submit', class: 'btn btn-small' });
  var caption = el('label', { for: 'label-new', class: 'sr' });
  var form = el('form', { id: 'labels-form', class: 'labels-form' }, [caption, input, known, add]);
  var bar = el('div', { id: 'conv-labels', class: 'labels-bar' }, [list, form]);
  var head = document.querySelector('#conv .conv-head');
  head.parentNode.insertBefore(bar, head.nextSibling);

  function words() {
    caption.textContent = t('label_add');
    add.textContent = t('label_add');
    input.setAttribute('placeholder', t('label_placeholder'));
    list.setAttribute('aria-label', t('labels'));
  }

  function show(labels) {
    clear(list);
    labels.forEach(function (label) {
      var remove = el('button', { type: 'button', class: 'label-x', 'aria-label': t('label_remove')(label), text: '×' });
      remove.addEventListener('click', function () {
        var current = conv;
        app.actions.api('DELETE', '/conversations/' + current.id + '/labels/' + encodeURIComponent(label))
          .then(function (out) { if (conv === current) show(out.labels); }, app.actions.failed);
      });
      list.appendChild(el('li', { class: 'conv-label', 'data-label': label }, [el('span', { text: label }), remove]));
    });
  }

  function suggest() {
    app.actions.api('GET', '/labels').then(function (out) {
      clear(known);
      out.labels.forEach(function (label) { known.appendChild(el('option', { value: label })); });
    }, function () { /* suggestions are a help, not needed */ });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var label = input.value.trim();
    var current = conv;
    if (!label || !current) return;
    app.actions.api('POST', '/conversations/' + current.id + '/labels', { label: label }).then(function (out) {
      input.value = '';
      if (conv === current) show(out.labels);
      suggest();
    }, function (err) {
      // the typed label stays in the field to correct
      app.actions.failed(err.code === 'invalid_request' ? { code: 'label_invalid', message: '' } : err);
    });
  });

  app.on('open', function (opened) {
    conv = opened;
    words();
    show([]);
    input.value = '';
    app.actions.api('GET', '/conversations/' + opened.id + '/labels').then(function (out) {
      if (conv === opened) show(out.labels);
    }, function () { /* the context's error banner says enough */ });
    suggest();
  });
  app.on('close', function () { conv = null; });
})();
