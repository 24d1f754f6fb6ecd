/*
 * The gap report's words in Spanish and English. The language is the console's choice
 * (localStorage 'mostrador-console:lang'), else the browser's; the selector in the header changes both.
 * Elements carry data-t="key"; scripts call window.gapsText.t(key, values).
 */
(function () {
  'use strict';
  var KEY = 'mostrador-console:lang';
  var TEXTS = {
    es: {
      page_title: 'Mostrador · Preguntas sin respuesta', subtitle: 'Preguntas sin respuesta', console: 'Consola',
      reports: 'Informes', language: 'Idioma', logout: 'Cerrar sesión', login_title: 'Entrar',
      email: 'Correo electrónico', password: 'Contraseña', enter: 'Entrar',
      intro: 'Preguntas de clientes que el bot no supo responder (pasó a una persona, «ninguna de estas», «no me ha servido» o un agente dijo que ninguna FAQ las cubre), agrupadas por significado: las más frecuentes primero. Los datos personales aparecen enmascarados.',
      filter_lang: 'Idioma de las preguntas', all_langs: 'Todos', show_handled: 'Mostrar también las resueltas',
      reload: 'Actualizar', loading: 'Agrupando preguntas…',
      summary: '{clusters} temas · {questions} sin respuesta en los últimos {days} días',
      summary_one: '1 tema · {questions} sin respuesta en los últimos {days} días',
      empty: 'No hay preguntas sin respuesta en este periodo. ¡Bien!',
      questions_n: 'preguntas', open_n: '{n} sin resolver', last7: '{n} en los últimos 7 días ({prev} los 7 anteriores)',
      weeks: 'Preguntas por semana, últimas 8 semanas', wordings: 'Cómo lo preguntan', examples: 'Ejemplos',
      replies: 'Qué respondieron los agentes', no_replies: 'Ningún agente respondió aún a estas preguntas.',
      open_conv: 'ver conversación', agent_replied: 'Agente: ', times: '×{n}',
      why_handoff: 'pasó a una persona', why_clarify_none: 'ninguna opción', why_not_helpful: '«no me ha servido»',
      why_no_faq: 'sin FAQ (agente)', draft: 'Crear entrada de FAQ', handled: 'Resuelta: entrada {id} ({lang})',
      sub_groups: 'Subgrupos (formas parecidas de preguntar)', questions_count: '{n} preguntas', questions_one: '1 pregunta',
      sub_hint: 'Desmarca los subgrupos que no sean la misma pregunta: la entrada de FAQ y «resuelta» solo cuentan los marcados.',
      picked: '{n} de {of} preguntas marcadas', none_picked: 'Marca al menos un subgrupo para crear la entrada.',
      forbidden: 'Este informe es para supervisores y administradores.',
      session_expired: 'Tu sesión ha caducado: entra de nuevo.', login_failed: 'No se pudo entrar', error: 'Error',
    },
    en: {
      page_title: 'Mostrador · Unanswered questions', subtitle: 'Unanswered questions', console: 'Console',
      reports: 'Reports', language: 'Language', logout: 'Log out', login_title: 'Log in', email: 'Email',
      password: 'Password', enter: 'Log in',
      intro: 'Customer questions the bot could not answer (handed to a person, "none of these", "it did not help", or an agent said no FAQ covers them), grouped by meaning: the most frequent first. Personal data is masked.',
      filter_lang: 'Questions\u2019 language', all_langs: 'All', show_handled: 'Also show handled ones',
      reload: 'Refresh', loading: 'Grouping questions…',
      summary: '{clusters} topics · {questions} unanswered in the last {days} days',
      summary_one: '1 topic · {questions} unanswered in the last {days} days',
      empty: 'No unanswered questions in this period. Well done!',
      questions_n: 'questions', open_n: '{n} open', last7: '{n} in the last 7 days ({prev} the 7 before)',
      weeks: 'Questions per week, last 8 weeks', wordings: 'How customers ask it', examples: 'Examples',
      replies: 'What agents replied', no_replies: 'No agent has replied to these questions yet.',
      open_conv: 'open conversation', agent_replied: 'Agent: ', times: '×{n}',
      why_handoff: 'handed off', why_clarify_none: 'none of the options', why_not_helpful: '"did not help"',
      why_no_faq: 'no FAQ (agent)', draft: 'Create FAQ entry', handled: 'Handled: entry {id} ({lang})',
      sub_groups: 'Sub-groups (similar ways of asking)', questions_count: '{n} questions', questions_one: '1 question',
      sub_hint: 'Untick the sub-groups that are not the same question: the FAQ entry and "handled" count the ticked ones only.',
      picked: '{n} of {of} questions ticked', none_picked: 'Tick at least one sub-group to create the entry.',
      forbidden: 'This report is for supervisors and admins.',
      session_expired: 'Your session expired: log in again.', login_failed: 'Could not log in', error: 'Error',
    },
  };

  function initial() {
    try { var saved = localStorage.getItem(KEY); if (TEXTS[saved]) return saved; } catch (e) { /* none kept */ }
    var langs = navigator.languages || [navigator.language || 'es'];
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
  }

  function set(code) {
    if (!TEXTS[code]) return;
    lang = code;
    try { localStorage.setItem(KEY, code); } catch (e) { /* this page only */ }
    apply();
  }

  window.gapsText = { t: t, apply: apply, set: set, lang: function () { return lang; } };
}());
