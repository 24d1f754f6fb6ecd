/*
 * Mostrador agent console: every word it shows, in Spanish and English.
 * Static markup uses data-t="key" (text) and data-tp="key" (placeholder); scripts call t(key).
 */
(function () {
  'use strict';

  var TEXT = {
    es: {
      title: 'Mostrador · Consola de agentes',
      skip: 'Saltar al contenido',
      console: 'Consola de agentes',
      language: 'Idioma',
      status: 'Estado',
      online: 'En línea',
      away: 'Ausente',
      offline: 'Desconectado',
      logout: 'Cerrar sesión',
      reports: 'Informes', gaps: 'Sin respuesta',
      dismiss: 'Cerrar aviso',
      login_title: 'Entrar en la consola',
      email: 'Correo electrónico',
      password: 'Contraseña',
      login: 'Entrar',
      queue: 'Cola',
      take_next: 'Atender la siguiente',
      waiting: 'En espera',
      waiting_empty: 'Nadie espera ahora mismo.',
      mine: 'Mis conversaciones',
      mine_empty: 'No tienes conversaciones abiertas.',
      pick: 'Elige una conversación de la cola o pulsa «Atender la siguiente».',
      claim: 'Atender',
      claim_label: function (id) { return 'Atender la conversación ' + id; },
      open_label: function (id) { return 'Abrir la conversación ' + id; },
      conversation: function (id) { return 'Conversación ' + id; },
      web_visitor: function (id) { return 'Visitante web #' + id; },
      waited: function (s) { return 'esperando ' + s; },
      resolve: 'Resolver',
      hand_back: 'Devolver al bot',
      refresh: 'Actualizar contexto',
      customer_typing: 'El cliente está escribiendo…',
      reply_label: 'Respuesta al cliente',
      reply_placeholder: 'Escribe tu respuesta (Intro envía, Mayús+Intro salta de línea, / respuestas predefinidas)',
      send: 'Enviar',
      note_label: 'Nota interna (solo la ven los agentes)',
      add_note: 'Añadir nota',
      transfer: 'Transferir',
      transfer_to: 'Transferir a',
      to_agent: 'Un agente',
      to_team: 'Un equipo',
      agent: 'Agente',
      team: 'Equipo',
      team_placeholder: 'p. ej. facturación',
      transfer_note: 'Nota para quien la recibe',
      do_transfer: 'Transferir conversación',
      no_agents: 'No hay otros agentes',
      context: 'Contexto',
      loading: 'Cargando…',
      who: { customer: 'Cliente', bot: 'Bot', agent: 'Agente', system: 'Sistema', note: 'Nota interna' },
      priority: { high: 'Prioridad alta', normal: 'Prioridad normal', low: 'Prioridad baja' },
      reasons: {
        explicit_request: 'Pide hablar con una persona',
        nlu_fallback: 'El bot no entendió',
        kb_no_answer: 'Sin respuesta en las preguntas frecuentes',
        complaint: 'Queja',
        frustration: 'Cliente frustrado',
        rule: 'Regla configurada',
        media: 'Envió una foto, audio o archivo'
      },
      conv_status: { pending: 'Con el bot', open: 'Abierta', resolved: 'Resuelta' },
      sentiment: { negative: 'Negativo', neutral: 'Neutro', positive: 'Positivo' },
      summary: 'Resumen',
      sentiment_title: 'Sentimiento',
      handoff_reason: 'Motivo del traspaso',
      lang_channel: 'Idioma y canal',
      contact: 'Contacto',
      identities: 'Identidades',
      slots: 'Datos recogidos por el bot',
      turns: 'Turnos del cliente',
      intent: 'Intención',
      confidence: 'confianza',
      entities: 'Entidades',
      kb: 'Preguntas frecuentes candidatas',
      bot_said: 'El bot respondió',
      earlier: 'Conversaciones anteriores',
      none: 'Ninguno',
      no_earlier: 'Es su primera conversación.',
      links_title: '¿Es la misma persona?',
      link_same: function (who, what) { return who + ' tiene ' + what + '.'; },
      link_keys: { email: 'el mismo correo', phone: 'el mismo teléfono' },
      link_verified: 'Verificado por su canal (WhatsApp). Aquí solo lo han escrito: confirma antes de unir.',
      link_unverified: 'Nadie lo ha verificado: lo escribió un cliente.',
      link_confirm: 'Sí, unir los contactos',
      link_dismiss: 'No, son personas distintas',
      unknown: 'desconocido',
      messages_count: function (n) { return n === 1 ? '1 mensaje' : n + ' mensajes'; },
      done: {
        claimed: function (id) { return 'Has tomado la conversación ' + id + '.'; },
        resolved: function (id) { return 'Conversación ' + id + ' resuelta.'; },
        handed_back: function (id) { return 'Conversación ' + id + ' devuelta al bot.'; },
        transferred: function (id) { return 'Conversación ' + id + ' transferida.'; },
        note: 'Nota guardada.',
        ended: 'Esta conversación ya no está abierta.'
      },
      errors: {
        network: 'Sin conexión con el servidor. Comprueba tu red; la consola lo reintenta sola.',
        live_lost: 'Se ha perdido la conexión en directo. Reconectando…',
        not_authenticated: 'Tu sesión ha caducado. Vuelve a entrar.',
        invalid_credentials: 'Correo o contraseña incorrectos.',
        already_claimed: 'Otro agente ya ha tomado esa conversación (o ha terminado). Elige otra de la cola.',
        over_capacity: 'Ya atiendes el máximo de conversaciones. Resuelve o devuelve una antes de tomar otra.',
        queue_empty: 'No hay conversaciones esperando para tus idiomas y habilidades.',
        not_your_conversation: 'Esta conversación ya no es tuya (quizá la han transferido).',
        wrong_conversation_state: 'La conversación ya no está abierta.',
        conversation_not_found: 'Esa conversación no existe.',
        link_not_found: 'Esa sugerencia ya no es de este contacto.',
        link_already_decided: 'Otro agente ya ha decidido sobre esa sugerencia.',
        agent_not_found: 'Ese agente no existe.',
        empty_team: 'Escribe el equipo al que transferir.',
        fill_login: 'Escribe tu correo y tu contraseña.',
        other: 'Algo ha fallado'
      }
    },
    en: {
      title: 'Mostrador · Agent console',
      skip: 'Skip to content',
      console: 'Agent console',
      language: 'Language',
      status: 'Status',
      online: 'Online',
      away: 'Away',
      offline: 'Offline',
      logout: 'Log out',
      reports: 'Reports', gaps: 'Unanswered',
      dismiss: 'Dismiss',
      login_title: 'Log in to the console',
      email: 'Email',
      password: 'Password',
      login: 'Log in',
      queue: 'Queue',
      take_next: 'Take next',
      waiting: 'Waiting',
      waiting_empty: 'Nobody is waiting right now.',
      mine: 'My conversations',
      mine_empty: 'You have no open conversations.',
      pick: 'Pick a conversation from the queue or press “Take next”.',
      claim: 'Claim',
      claim_label: function (id) { return 'Claim conversation ' + id; },
      open_label: function (id) { return 'Open conversation ' + id; },
      conversation: function (id) { return 'Conversation ' + id; },
      web_visitor: function (id) { return 'Web visitor #' + id; },
      waited: function (s) { return 'waiting ' + s; },
      resolve: 'Resolve',
      hand_back: 'Hand back to the bot',
      refresh: 'Refresh context',
      customer_typing: 'The customer is typing…',
      reply_label: 'Reply to the customer',
      reply_placeholder: 'Type your reply (Enter sends, Shift+Enter adds a line, / canned replies)',
      send: 'Send',
      note_label: 'Internal note (only agents see it)',
      add_note: 'Add note',
      transfer: 'Transfer',
      transfer_to: 'Transfer to',
      to_agent: 'An agent',
      to_team: 'A team',
      agent: 'Agent',
      team: 'Team',
      team_placeholder: 'e.g. billing',
      transfer_note: 'Note for whoever gets it',
      do_transfer: 'Transfer conversation',
      no_agents: 'No other agents',
      context: 'Context',
      loading: 'Loading…',
      who: { customer: 'Customer', bot: 'Bot', agent: 'Agent', system: 'System', note: 'Internal note' },
      priority: { high: 'High priority', normal: 'Normal priority', low: 'Low priority' },
      reasons: {
        explicit_request: 'Asked for a person',
        nlu_fallback: 'The bot did not understand',
        kb_no_answer: 'No answer in the FAQ',
        complaint: 'Complaint',
        frustration: 'Frustrated customer',
        rule: 'Configured rule',
        media: 'Sent a photo, audio or file'
      },
      conv_status: { pending: 'With the bot', open: 'Open', resolved: 'Resolved' },
      sentiment: { negative: 'Negative', neutral: 'Neutral', positive: 'Positive' },
      summary: 'Summary',
      sentiment_title: 'Sentiment',
      handoff_reason: 'Handoff reason',
      lang_channel: 'Language and channel',
      contact: 'Contact',
      identities: 'Identities',
      slots: 'What the bot collected',
      turns: 'Customer turns',
      intent: 'Intent',
      confidence: 'confidence',
      entities: 'Entities',
      kb: 'FAQ candidates',
      bot_said: 'The bot answered',
      earlier: 'Earlier conversations',
      none: 'None',
      no_earlier: 'This is their first conversation.',
      links_title: 'Same person?',
      link_same: function (who, what) { return who + ' has ' + what + '.'; },
      link_keys: { email: 'the same email', phone: 'the same phone' },
      link_verified: 'Verified by their channel (WhatsApp). Here it was only typed: check before merging.',
      link_unverified: 'Nobody verified it: a customer typed it.',
      link_confirm: 'Yes, merge the contacts',
      link_dismiss: 'No, different people',
      unknown: 'unknown',
      messages_count: function (n) { return n === 1 ? '1 message' : n + ' messages'; },
      done: {
        claimed: function (id) { return 'You took conversation ' + id + '.'; },
        resolved: function (id) { return 'Conversation ' + id + ' resolved.'; },
        handed_back: function (id) { return 'Conversation ' + id + ' handed back to the bot.'; },
        transferred: function (id) { return 'Conversation ' + id + ' transferred.'; },
        note: 'Note saved.',
        ended: 'This conversation is no longer open.'
      },
      errors: {
        network: 'Cannot reach the server. Check your network; the console keeps retrying.',
        live_lost: 'Live updates were interrupted. Reconnecting…',
        not_authenticated: 'Your session has expired. Please log in again.',
        invalid_credentials: 'Wrong email or password.',
        already_claimed: 'Another agent already took that conversation (or it ended). Pick another one.',
        over_capacity: 'You already handle your maximum of conversations. Resolve or hand one back first.',
        queue_empty: 'No conversation is waiting for your languages and skills.',
        not_your_conversation: 'This conversation is no longer yours (it may have been transferred).',
        wrong_conversation_state: 'The conversation is no longer open.',
        conversation_not_found: 'That conversation does not exist.',
        link_not_found: 'That suggestion no longer belongs to this contact.',
        link_already_decided: 'Another agent already decided on that suggestion.',
        agent_not_found: 'That agent does not exist.',
        empty_team: 'Type the team to transfer to.',
        fill_login: 'Type your email and your password.',
        other: 'Something went wrong'
      }
    }
  };

  var KEY = 'mostrador-console:lang';

  function initialLanguage() {
    var saved = null;
    try { saved = window.localStorage.getItem(KEY); } catch (e) { saved = null; }
    if (saved === 'es' || saved === 'en') return saved;
    var langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'es'];
    for (var i = 0; i < langs.length; i++) {
      var code = String(langs[i]).toLowerCase();
      if (code.indexOf('es') === 0) return 'es';
      if (code.indexOf('en') === 0) return 'en';
    }
    return 'es';
  }

  var current = initialLanguage();

  function t(key) {
    var value = TEXT[current][key];
    return value === undefined ? TEXT.es[key] : value;
  }

  // Fills every data-t / data-tp element of the page in the current language.
  function apply() {
    document.documentElement.lang = current;
    document.title = t('title');
    Array.prototype.forEach.call(document.querySelectorAll('[data-t]'), function (node) {
      node.textContent = t(node.getAttribute('data-t'));
    });
    Array.prototype.forEach.call(document.querySelectorAll('[data-tp]'), function (node) {
      node.setAttribute('placeholder', t(node.getAttribute('data-tp')));
    });
  }

  function setLanguage(lang) {
    current = lang === 'en' ? 'en' : 'es';
    try { window.localStorage.setItem(KEY, current); } catch (e) { /* private mode: this page only */ }
    apply();
  }

  // A module's own words: {es: {...}, en: {...}}; nested tables (errors) are merged, not replaced.
  function extend(more) {
    Object.keys(more).forEach(function (lang) {
      Object.keys(more[lang]).forEach(function (key) {
        var value = more[lang][key];
        var had = TEXT[lang][key];
        if (had && typeof had === 'object' && typeof value === 'object') Object.assign(had, value);
        else TEXT[lang][key] = value;
      });
    });
  }

  window.MostradorConsole = window.MostradorConsole || {};
  window.MostradorConsole.i18n = {
    t: t,
    extend: extend,
    apply: apply,
    setLanguage: setLanguage,
    language: function () { return current; }
  };
})();
