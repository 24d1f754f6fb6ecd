/*
 * Mostrador agent console: how the transcript shows each line (customer, bot, agent by name, system,
 * private notes, transfer notes) and keeping its last line in view. Text is only set with textContent.
 */
(function () {
  'use strict';

  var app = window.MostradorConsole;
  var t = app.i18n.t;
  var el = app.dom.el;

  app.i18n.extend({
    es: { handover_note: 'Nota de traspaso' },
    en: { handover_note: 'Handover note' }
  });

  function whoOf(message) {
    if (message.message_type === 'incoming') return t('who').customer;
    if (message.message_type === 'activity' || message.sender_type === 'system') return t('who').system;
    if (message.sender_type === 'agent') return message.sender_name || t('who').agent;
    return t('who').bot;
  }

  function messageItem(message) {
    var kind = message.message_type === 'incoming' ? 'customer'
      : message.message_type === 'activity' || message.sender_type === 'system' ? 'system'
        : message.sender_type === 'agent' ? 'agent' : 'bot';
    return {
      key: 'm' + message.id,
      at: message.created_at,
      node: el('li', { class: 'msg msg-' + kind, 'data-id': message.id, 'data-sender': kind }, [
        el('span', { class: 'msg-who', text: whoOf(message) }),
        el('span', { class: 'msg-time', text: app.dom.formatTime(message.created_at) }),
        el('p', { class: 'msg-text', text: message.text }),
        app.media ? app.media.view(message) : null // a photo, voice note, file: console-media.js
      ])
    };
  }

  // A note written with a transfer is for whoever receives the conversation: marked as such.
  function noteItem(note) {
    var transfer = note.transfer === true;
    var label = transfer ? t('handover_note') : t('who').note;
    return {
      key: 'n' + note.id,
      at: note.created_at,
      node: el('li', {
        class: 'msg msg-note' + (transfer ? ' msg-transfer' : ''),
        'data-sender': transfer ? 'transfer-note' : 'note'
      }, [
        el('span', { class: 'msg-who', text: (transfer ? '⇄ ' : '') + label + ' · ' + (note.agent_name || '') }),
        el('span', { class: 'msg-time', text: app.dom.formatTime(note.created_at) }),
        el('p', { class: 'msg-text', text: note.text })
      ])
    };
  }

  // The log stays on its last line while the agent has not scrolled up: also when it gets shorter
  // (the typing line, a banner, a taller reply box or the transfer form take room from it).
  function followEnd(log) {
    var atEnd = true;
    log.addEventListener('scroll', function () {
      atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (atEnd) log.scrollTop = log.scrollHeight;
      }).observe(log);
    }
  }

  app.transcript = { whoOf: whoOf, messageItem: messageItem, noteItem: noteItem, followEnd: followEnd };
  app.whoOf = whoOf;
})();
