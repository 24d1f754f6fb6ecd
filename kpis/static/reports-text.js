/*
 * The reports page's words in Spanish and English. The language is the console's choice
 * (localStorage 'mostrador-console:lang'), else the browser's; the selector in the header changes both.
 * Elements carry data-t="key" (text) or data-t-placeholder="key"; scripts call window.reportsText.t(key).
 */
(function () {
  'use strict';
  var TEXTS = {
    es: {
      page_title: 'Mostrador · Informes', subtitle: 'Informes del servicio', console: 'Consola',
      logout: 'Cerrar sesión', language: 'Idioma', login_title: 'Entrar (supervisores)',
      email: 'Correo electrónico', password: 'Contraseña', enter: 'Entrar', filters: 'Filtros',
      from: 'Desde', to: 'Hasta', channel: 'Canal', all: 'Todos', widget: 'Web (widget)', team: 'Equipo',
      team_all: 'todos', group_by: 'Agrupar por', day: 'día', week: 'semana', by_channel: 'canal',
      by_team: 'equipo', agent: 'agente', show: 'Ver', csv: 'Descargar CSV', totals: 'Totales del periodo',
      drill_hint: 'Pulsa una cifra con ▸ para ver las conversaciones que la forman.',
      chart_volume: 'Conversaciones y resueltas por el bot', chart_csat: 'CSAT: solo bot frente a con persona',
      chart_frt: 'Primera respuesta (mediana, s)', chart_reasons: 'Pasadas a personas por motivo',
      conversations: 'Conversaciones', contained: 'Resueltas por el bot', bot_only: 'Solo bot',
      with_person: 'Con persona', bot: 'Bot', person_hours: 'Persona (horario laboral)', none: '(ninguno)',
      col_conversation: 'Conversación', col_channel: 'Canal', col_created: 'Creada (UTC)', col_reason: 'Motivo',
      col_agent: 'Agente', col_resolved_by: 'Resuelta por', col_kind: 'Tipo', col_score: 'Nota',
      col_comment: 'Comentario', col_when: 'Cuándo (UTC)', open_transcript: 'Ver conversación',
      follow_ups: 'Seguimientos pendientes', follow_ups_hint:
        'Valoraciones bajas (CSAT 1–2, NPS 0–6): llama o escribe al cliente y márcalas como hechas.',
      follow_ups_none: 'No hay seguimientos pendientes.', done: 'Hecho', transcript: 'Conversación',
      close: 'Cerrar', customer: 'Cliente', system: 'Aviso', agent_word: 'Agente',
      drill_contained: 'Resueltas por el bot', drill_handed_off: 'Pasadas a personas',
      drill_abandoned: 'Abandonos en cola', drill_reopened: 'Reabiertas', drill_complaints: 'Quejas',
      drill_complaints_open: 'Quejas sin resolver', drill_csat_low: 'CSAT ≤ 2',
      drill_nps_detractors: 'NPS 0–6 (detractores)', session_expired: 'Tu sesión ha caducado: entra de nuevo.',
      login_failed: 'No se pudo entrar', error: 'Error', csv_name: 'conversaciones',
      reasons: {
        explicit_request: 'Pide una persona', nlu_fallback: 'El bot no entendió',
        kb_no_answer: 'Sin respuesta en las FAQ', complaint: 'Queja', frustration: 'Cliente frustrado',
        rule: 'Regla configurada', media: 'Foto, audio o archivo', bot_unavailable: 'Bot caído',
        bot_busy: 'Bot saturado', not_helpful: 'La respuesta no sirvió',
      },
    },
    en: {
      page_title: 'Mostrador · Reports', subtitle: 'Service reports', console: 'Console',
      logout: 'Log out', language: 'Language', login_title: 'Log in (supervisors)',
      email: 'Email', password: 'Password', enter: 'Log in', filters: 'Filters',
      from: 'From', to: 'To', channel: 'Channel', all: 'All', widget: 'Web (widget)', team: 'Team',
      team_all: 'all', group_by: 'Group by', day: 'day', week: 'week', by_channel: 'channel',
      by_team: 'team', agent: 'agent', show: 'Show', csv: 'Download CSV', totals: 'Totals for the period',
      drill_hint: 'Click a number marked ▸ to see the conversations behind it.',
      chart_volume: 'Conversations and resolved by the bot', chart_csat: 'CSAT: bot only vs with a person',
      chart_frt: 'First response (median, s)', chart_reasons: 'Handed to people by reason',
      conversations: 'Conversations', contained: 'Resolved by the bot', bot_only: 'Bot only',
      with_person: 'With a person', bot: 'Bot', person_hours: 'Person (business hours)', none: '(none)',
      col_conversation: 'Conversation', col_channel: 'Channel', col_created: 'Created (UTC)', col_reason: 'Reason',
      col_agent: 'Agent', col_resolved_by: 'Resolved by', col_kind: 'Kind', col_score: 'Score',
      col_comment: 'Comment', col_when: 'When (UTC)', open_transcript: 'Open conversation',
      follow_ups: 'Follow-ups to do', follow_ups_hint:
        'Low ratings (CSAT 1–2, NPS 0–6): call or write to the customer, then mark them done.',
      follow_ups_none: 'No follow-ups to do.', done: 'Done', transcript: 'Conversation',
      close: 'Close', customer: 'Customer', system: 'Notice', agent_word: 'Agent',
      drill_contained: 'Resolved by the bot', drill_handed_off: 'Handed to people',
      drill_abandoned: 'Abandoned in queue', drill_reopened: 'Reopened', drill_complaints: 'Complaints',
      drill_complaints_open: 'Complaints open', drill_csat_low: 'CSAT ≤ 2',
      drill_nps_detractors: 'NPS 0–6 (detractors)', session_expired: 'Your session has expired: log in again.',
      login_failed: 'Could not log in', error: 'Error', csv_name: 'conversations',
      reasons: {
        explicit_request: 'Asked for a person', nlu_fallback: 'The bot did not understand',
        kb_no_answer: 'No answer in the FAQ', complaint: 'Complaint', frustration: 'Frustrated customer',
        rule: 'Configured rule', media: 'Photo, audio or file', bot_unavailable: 'Bot down',
        bot_busy: 'Bot overloaded', not_helpful: 'The answer did not help',
      },
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

  function t(key) { return (TEXTS[lang] && TEXTS[lang][key]) || TEXTS.es[key] || key; }

  /** A handoff reason's name (the stored key when it has none, e.g. a configured rule's own). */
  function reason(key) { return (TEXTS[lang].reasons || {})[key] || key; }

  function apply() {
    document.documentElement.lang = lang;
    document.title = t('page_title');
    document.querySelectorAll('[data-t]').forEach(function (el) { el.textContent = t(el.dataset.t); });
    document.querySelectorAll('[data-t-placeholder]').forEach(function (el) {
      el.placeholder = t(el.dataset.tPlaceholder);
    });
    document.querySelectorAll('[data-t-label]').forEach(function (el) {
      el.setAttribute('aria-label', t(el.dataset.tLabel));
    });
  }

  function set(code) {
    if (!TEXTS[code]) return;
    lang = code;
    try { localStorage.setItem(KEY, code); } catch (e) { /* this page only */ }
    apply();
  }

  window.reportsText = { t: t, reason: reason, apply: apply, set: set, lang: function () { return lang; } };
}());
