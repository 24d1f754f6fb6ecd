/*
 * The FAQ editor's words in Spanish and English. The language is the console's choice
 * (localStorage 'mostrador-console:lang'), else the browser's; the selector in the header changes both.
 * Elements carry data-t="key" (text) or data-t-placeholder="key"; scripts call window.faqText.t(key).
 */
(function () {
  'use strict';
  var TEXTS = {
    es: {
      page_title: 'Mostrador · Preguntas frecuentes', subtitle: 'Preguntas frecuentes', console: 'Consola',
      language: 'Idioma', logout: 'Cerrar sesión', login_title: 'Entrar', email: 'Correo electrónico',
      password: 'Contraseña', enter: 'Entrar', entries: 'Entradas', search_ph: 'Buscar en preguntas y respuestas…',
      all_langs: 'Todos los idiomas', all_cats: 'Todas las categorías', new_entry: '+ Nueva entrada',
      count: '{n} de {total} entradas', edit_title: 'Entrada', new_title: 'Nueva entrada',
      readonly: 'Solo lectura: los supervisores y administradores editan las preguntas frecuentes.',
      id: 'Identificador', lang: 'Idioma', question: 'Pregunta',
      alternatives: 'Otras formas de preguntarlo (una por línea)', answer: 'Respuesta', category: 'Categoría',
      url: 'Enlace', save: 'Guardar y publicar', delete: 'Eliminar', saving: 'Publicando…',
      saved: 'Publicado: el bot ya lo usa.', deleted: 'Eliminada.', confirm_delete: '¿Eliminar esta entrada? Podrás deshacerlo desde «Cambios».',
      checks_ok: 'Sin problemas.', too_close: '«{phrasing}» se parece mucho a «{other}» ({id}): puntuación {score} (umbral {threshold}). El bot podría confundirlas.',
      file: 'Archivo: {file}', not_editable: 'Esta entrada está en {file}: edítala allí.',
      try_title: 'Pruébalo', try_hint: 'Escribe una pregunta de cliente: verás qué haría el bot ahora y con tu cambio sin guardar.',
      try_ph: '¿Cuánto tarda mi pedido?', try: 'Probar', now: 'Ahora', with_edit: 'Con tu cambio',
      no_edit: 'Sin cambios sin guardar.', act_answer: 'Responde', act_clarify: 'Pregunta cuál de estas',
      act_handoff: 'Pasa a una persona', history: 'Cambios', no_history: 'Aún no hay cambios.',
      kind_create: 'Creada', kind_update: 'Editada', kind_delete: 'Eliminada', by: 'por', revert: 'Deshacer',
      reverted: 'Deshecho: publicado de nuevo lo anterior.', reverts: 'deshace el cambio #{id}',
      confirm_revert: '¿Deshacer este cambio? Se publicará lo que había antes.',
      session_expired: 'Tu sesión ha caducado: entra de nuevo.', login_failed: 'No se pudo entrar', error: 'Error',
      unsaved: 'Tienes cambios sin guardar. ¿Descartarlos?',
      gap_draft: 'Borrador desde «Preguntas sin respuesta»: {n} preguntas de clientes. Revisa la respuesta sugerida (lo que contestaron los agentes) antes de publicar.',
      gap_done: 'Publicado: el bot ya lo usa, y las {n} preguntas quedan marcadas como resueltas en el informe.',
      learned: 'Aprendido', learned_hint: 'Lo que el bot ha aprendido de las etiquetas de los agentes («Responde la FAQ…», «Ninguna FAQ lo cubre»). Cada aprendizaje solo se queda si, con preguntas reservadas, el bot no pierde más aciertos de los que gana ni se equivoca más de lo que explica el azar.',
      learned_readonly: 'Solo los administradores pueden quitar ejemplos aprendidos.', runs: 'Aprendizajes',
      col_when: 'Fecha', col_trigger: 'Origen', col_outcome: 'Resultado', col_labels: 'Etiquetas',
      col_held: 'Preguntas reservadas: antes → después', no_runs: 'Aún no hay aprendizajes.',
      examples: 'Ejemplos aprendidos', no_examples: 'Aún no hay ejemplos aprendidos.',
      trigger_cli: 'a mano', trigger_cron: 'programado', outcome_kept: 'Aprendido', outcome_rolled_back: 'Descartado: empeoraba',
      outcome_nothing_new: 'Nada nuevo', outcome_failed: 'Error', outcome_running: 'En curso',
      group_known: 'Ya conocidas', group_new: 'Nuevas', held_out: 'correctas {c0}→{c1}, erróneas {w0}→{w1} de {n}',
      no_faq: 'Ninguna FAQ: pasa a una persona', run_n: 'aprendizaje #{id}', remove: 'Quitar',
      confirm_remove: '¿Quitar «{text}» de lo aprendido? El bot dejará de usarlo.',
      removing: 'Quitándolo del bot: reconstruyendo el índice…', removed_done: 'Quitado: el bot ya no lo usa.',
      removed_failed: 'No se pudo quitar del bot ahora ({error}). Se quitará en el próximo aprendizaje.',
      removed_next_run: 'Quitado de la lista. Se quitará del bot en el próximo aprendizaje.',
    },
    en: {
      page_title: 'Mostrador · FAQ', subtitle: 'FAQ', console: 'Console', language: 'Language', logout: 'Log out',
      login_title: 'Log in', email: 'Email', password: 'Password', enter: 'Log in', entries: 'Entries',
      search_ph: 'Search questions and answers…', all_langs: 'All languages', all_cats: 'All categories',
      new_entry: '+ New entry', count: '{n} of {total} entries', edit_title: 'Entry', new_title: 'New entry',
      readonly: 'Read only: supervisors and admins edit the FAQ.', id: 'Id', lang: 'Language', question: 'Question',
      alternatives: 'Other ways to ask it (one per line)', answer: 'Answer', category: 'Category', url: 'Link',
      save: 'Save and publish', delete: 'Delete', saving: 'Publishing…', saved: 'Published: the bot uses it now.',
      deleted: 'Deleted.', confirm_delete: 'Delete this entry? You can undo it from "Changes".',
      checks_ok: 'No problems.', too_close: '"{phrasing}" is very close to "{other}" ({id}): score {score} (threshold {threshold}). The bot may mix them up.',
      file: 'File: {file}', not_editable: 'This entry is in {file}: edit it there.',
      try_title: 'Try it', try_hint: 'Type a customer question: see what the bot would do now and with your unsaved edit.',
      try_ph: 'How long does my order take?', try: 'Try', now: 'Now', with_edit: 'With your edit',
      no_edit: 'No unsaved edit.', act_answer: 'Answers', act_clarify: 'Asks which of these',
      act_handoff: 'Hands off to a person', history: 'Changes', no_history: 'No changes yet.',
      kind_create: 'Created', kind_update: 'Edited', kind_delete: 'Deleted', by: 'by', revert: 'Undo',
      reverted: 'Undone: what was there before is published again.', reverts: 'undoes change #{id}',
      confirm_revert: 'Undo this change? What was there before will be published.',
      session_expired: 'Your session expired: log in again.', login_failed: 'Could not log in', error: 'Error',
      unsaved: 'You have unsaved changes. Discard them?',
      gap_draft: 'Draft from "Unanswered questions": {n} customer questions. Check the suggested answer (what agents replied) before publishing.',
      gap_done: 'Published: the bot uses it now, and the {n} questions are marked as handled in the report.',
      learned: 'Learned', learned_hint: 'What the bot learned from agents\' labels ("FAQ X answers this", "no FAQ covers this"). A learning run is kept only if, on held-out questions, the bot loses no more right answers than it gains and makes no more wrong ones than chance explains.',
      learned_readonly: 'Only admins can remove learned examples.', runs: 'Learning runs',
      col_when: 'Date', col_trigger: 'Trigger', col_outcome: 'Outcome', col_labels: 'Labels',
      col_held: 'Held-out questions: before → after', no_runs: 'No learning runs yet.',
      examples: 'Learned examples', no_examples: 'No learned examples yet.',
      trigger_cli: 'by hand', trigger_cron: 'scheduled', outcome_kept: 'Kept', outcome_rolled_back: 'Rolled back: worse',
      outcome_nothing_new: 'Nothing new', outcome_failed: 'Failed', outcome_running: 'Running',
      group_known: 'Known', group_new: 'New', held_out: 'correct {c0}→{c1}, wrong {w0}→{w1} of {n}',
      no_faq: 'No FAQ: goes to a person', run_n: 'run #{id}', remove: 'Remove',
      confirm_remove: 'Remove "{text}" from what was learned? The bot will stop using it.',
      removing: 'Removing it from the bot: rebuilding the index…', removed_done: 'Removed: the bot no longer uses it.',
      removed_failed: 'Could not remove it from the bot now ({error}). It will be removed at the next learning run.',
      removed_next_run: 'Removed from the list. The bot drops it at the next learning run.',
    },
  };
  var KEY = 'mostrador-console:lang';

  function initial() {
    try { var kept = localStorage.getItem(KEY); if (TEXTS[kept]) return kept; } catch (e) { /* none kept */ }
    var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'es'];
    for (var i = 0; i < langs.length; i++) {
      var code = String(langs[i]).slice(0, 2).toLowerCase();
      if (TEXTS[code]) return code;
    }
    return 'es';
  }

  var lang = initial();

  function t(key, values) {
    var text = (TEXTS[lang] && TEXTS[lang][key]) || TEXTS.es[key] || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split('{' + name + '}').join(String(values[name])); });
    return text;
  }

  function apply() {
    document.documentElement.lang = lang;
    document.title = t('page_title');
    document.querySelectorAll('[data-t]').forEach(function (el) { el.textContent = t(el.dataset.t); });
    document.querySelectorAll('[data-t-placeholder]').forEach(function (el) { el.placeholder = t(el.dataset.tPlaceholder); });
  }

  function set(code) {
    if (!TEXTS[code]) return;
    lang = code;
    try { localStorage.setItem(KEY, code); } catch (e) { /* this page only */ }
    apply();
  }

  window.faqText = { t: t, apply: apply, set: set, lang: function () { return lang; } };
}());
