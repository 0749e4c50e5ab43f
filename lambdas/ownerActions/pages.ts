import type { ActionOutcome } from '../delivery/ownerActions';
import type { OwnerAction } from '../domain/delivery/actionToken';
import type { Locale } from '../domain/locales';
import { localeFormat } from '../rendering/format';
import { escapeHtml, page } from '../shared/publicEndpoint';

// The pages an owner or team lead sees after clicking an action link in a digest, in their language. Plain
// words: what will happen, then what happened, or why nothing did.

interface Words {
  confirm: Record<OwnerAction, [title: string, text: string, button: string]>;
  outcome: Record<'done' | 'wont-renew' | 'snoozed' | 'paused' | 'resumed', [title: string, text: string]>;
  gone: [string, string];
  used: [string, string];
  closed: [string, string];
  bad: [string, string];
  expired: [string, string];
  notAllowed: [string, string];
}

const WORDS: Record<Locale, Words> = {
  en: {
    confirm: {
      done: [
        'Mark this task done?',
        '{customer}: the task closes, and the team lead is not asked about it.',
        'Mark done',
      ],
      snooze: [
        'Snooze this task for 7 days?',
        '{customer}: the task comes back in your digest in a week, and its escalation moves by a week too.',
        'Snooze',
      ],
      pause: [
        'Pause this customer for 30 days?',
        '{customer}: no emails go to the customer and no tasks come up for 30 days, or until you resume.',
        'Pause',
      ],
      'wont-renew': [
        'Close the renewal as not renewing?',
        '{customer}: no more renewal emails go out. The win-back email still follows after the term ends, unless you pause the customer.',
        'Close the renewal',
      ],
      resume: [
        'Resume this customer?',
        '{customer}: customer emails and tasks start again with the next ones due.',
        'Resume',
      ],
    },
    outcome: {
      done: ['Task done', '{customer}: the task is closed.'],
      'wont-renew': ['Renewal closed', '{customer}: no more renewal emails will go out.'],
      snoozed: ['Task snoozed', '{customer}: the task is back in your digest on {date}.'],
      paused: ['Customer paused', '{customer}: nothing goes out until {date}, unless you resume.'],
      resumed: ['Customer resumed', '{customer}: emails and tasks start again.'],
    },
    gone: ['This task no longer exists', 'It was closed or has expired. Nothing was changed.'],
    used: ['This link was already used', 'Each link acts once. Nothing was changed.'],
    closed: ['This task is already closed', 'Nothing was changed.'],
    bad: [
      'This link does not work',
      'The link is incomplete or was changed. Nothing was changed. Please use the link from your digest.',
    ],
    expired: [
      'This link has expired',
      'Links in a digest work for 30 days. Nothing was changed. Please use the links in a recent digest.',
    ],
    notAllowed: ['Nothing to see here', 'This address only opens the action links in our digests.'],
  },
  es: {
    confirm: {
      done: [
        '¿Marcar esta tarea como hecha?',
        '{customer}: la tarea se cierra y no se escala al responsable del equipo.',
        'Marcar como hecha',
      ],
      snooze: [
        '¿Posponer esta tarea 7 días?',
        '{customer}: la tarea vuelve a su resumen dentro de una semana y su escalado también se retrasa una semana.',
        'Posponer',
      ],
      pause: [
        '¿Pausar este cliente 30 días?',
        '{customer}: no se envían correos al cliente ni surgen tareas durante 30 días, o hasta que lo reanude.',
        'Pausar',
      ],
      'wont-renew': [
        '¿Cerrar la renovación como no renovada?',
        '{customer}: no se enviarán más correos de renovación. El correo de recuperación se envía igualmente tras el fin del plazo, salvo que pause el cliente.',
        'Cerrar la renovación',
      ],
      resume: [
        '¿Reanudar este cliente?',
        '{customer}: los correos y las tareas vuelven con los próximos pendientes.',
        'Reanudar',
      ],
    },
    outcome: {
      done: ['Tarea hecha', '{customer}: la tarea está cerrada.'],
      'wont-renew': ['Renovación cerrada', '{customer}: no se enviarán más correos de renovación.'],
      snoozed: ['Tarea pospuesta', '{customer}: la tarea vuelve a su resumen el {date}.'],
      paused: ['Cliente en pausa', '{customer}: no se envía nada hasta el {date}, salvo que lo reanude.'],
      resumed: ['Cliente reanudado', '{customer}: los correos y las tareas vuelven a empezar.'],
    },
    gone: ['Esta tarea ya no existe', 'Se cerró o ha caducado. No se ha cambiado nada.'],
    used: ['Este enlace ya se usó', 'Cada enlace actúa una sola vez. No se ha cambiado nada.'],
    closed: ['Esta tarea ya está cerrada', 'No se ha cambiado nada.'],
    bad: [
      'Este enlace no funciona',
      'El enlace está incompleto o ha sido modificado. No se ha cambiado nada. Use el enlace de su resumen.',
    ],
    expired: [
      'Este enlace ha caducado',
      'Los enlaces de un resumen funcionan durante 30 días. No se ha cambiado nada. Use los enlaces de un resumen reciente.',
    ],
    notAllowed: ['Aquí no hay nada', 'Esta dirección solo abre los enlaces de acción de nuestros resúmenes.'],
  },
  fr: {
    confirm: {
      done: [
        'Marquer cette tâche comme faite ?',
        "{customer} : la tâche est close et le responsable d'équipe n'en est pas saisi.",
        'Marquer comme faite',
      ],
      snooze: [
        'Reporter cette tâche de 7 jours ?',
        '{customer} : la tâche revient dans votre résumé dans une semaine, et son escalade est reportée d’une semaine aussi.',
        'Reporter',
      ],
      pause: [
        'Suspendre ce client 30 jours ?',
        "{customer} : aucun e-mail n'est envoyé au client et aucune tâche n'apparaît pendant 30 jours, ou jusqu'à la reprise.",
        'Suspendre',
      ],
      'wont-renew': [
        'Clore le renouvellement comme non renouvelé ?',
        "{customer} : plus aucun e-mail de renouvellement n'est envoyé. L'e-mail de reconquête suit quand même après la fin du contrat, sauf si vous suspendez le client.",
        'Clore le renouvellement',
      ],
      resume: [
        'Reprendre ce client ?',
        '{customer} : les e-mails et les tâches reprennent avec les prochains prévus.',
        'Reprendre',
      ],
    },
    outcome: {
      done: ['Tâche faite', '{customer} : la tâche est close.'],
      'wont-renew': ['Renouvellement clos', '{customer} : plus aucun e-mail de renouvellement ne partira.'],
      snoozed: ['Tâche reportée', '{customer} : la tâche revient dans votre résumé le {date}.'],
      paused: ['Client suspendu', "{customer} : rien ne part jusqu'au {date}, sauf si vous reprenez."],
      resumed: ['Client repris', '{customer} : les e-mails et les tâches reprennent.'],
    },
    gone: ["Cette tâche n'existe plus", "Elle a été close ou a expiré. Rien n'a été modifié."],
    used: ['Ce lien a déjà servi', "Chaque lien n'agit qu'une fois. Rien n'a été modifié."],
    closed: ['Cette tâche est déjà close', "Rien n'a été modifié."],
    bad: [
      'Ce lien ne fonctionne pas',
      "Le lien est incomplet ou a été modifié. Rien n'a été modifié. Utilisez le lien de votre résumé.",
    ],
    expired: [
      'Ce lien a expiré',
      "Les liens d'un résumé fonctionnent 30 jours. Rien n'a été modifié. Utilisez les liens d'un résumé récent.",
    ],
    notAllowed: ['Rien à voir ici', "Cette adresse n'ouvre que les liens d'action de nos résumés."],
  },
  de: {
    confirm: {
      done: [
        'Diese Aufgabe als erledigt markieren?',
        '{customer}: Die Aufgabe wird geschlossen, und die Teamleitung wird nicht damit befasst.',
        'Als erledigt markieren',
      ],
      snooze: [
        'Diese Aufgabe um 7 Tage zurückstellen?',
        '{customer}: Die Aufgabe kommt in einer Woche wieder in Ihre Übersicht, und ihre Eskalation verschiebt sich ebenfalls um eine Woche.',
        'Zurückstellen',
      ],
      pause: [
        'Diesen Kunden 30 Tage pausieren?',
        '{customer}: 30 Tage lang gehen keine E-Mails an den Kunden und es entstehen keine Aufgaben, oder bis Sie fortsetzen.',
        'Pausieren',
      ],
      'wont-renew': [
        'Verlängerung als nicht verlängert schließen?',
        '{customer}: Es gehen keine Verlängerungs-E-Mails mehr hinaus. Die Rückgewinnungs-E-Mail folgt nach Laufzeitende trotzdem, es sei denn, Sie pausieren den Kunden.',
        'Verlängerung schließen',
      ],
      resume: [
        'Diesen Kunden fortsetzen?',
        '{customer}: E-Mails und Aufgaben laufen mit den nächsten fälligen wieder an.',
        'Fortsetzen',
      ],
    },
    outcome: {
      done: ['Aufgabe erledigt', '{customer}: Die Aufgabe ist geschlossen.'],
      'wont-renew': [
        'Verlängerung geschlossen',
        '{customer}: Es gehen keine Verlängerungs-E-Mails mehr hinaus.',
      ],
      snoozed: ['Aufgabe zurückgestellt', '{customer}: Die Aufgabe ist am {date} wieder in Ihrer Übersicht.'],
      paused: ['Kunde pausiert', '{customer}: Bis {date} geht nichts hinaus, es sei denn, Sie setzen fort.'],
      resumed: ['Kunde fortgesetzt', '{customer}: E-Mails und Aufgaben laufen wieder an.'],
    },
    gone: [
      'Diese Aufgabe gibt es nicht mehr',
      'Sie wurde geschlossen oder ist abgelaufen. Es wurde nichts geändert.',
    ],
    used: ['Dieser Link wurde schon benutzt', 'Jeder Link wirkt nur einmal. Es wurde nichts geändert.'],
    closed: ['Diese Aufgabe ist schon geschlossen', 'Es wurde nichts geändert.'],
    bad: [
      'Dieser Link funktioniert nicht',
      'Der Link ist unvollständig oder wurde verändert. Es wurde nichts geändert. Nutzen Sie den Link aus Ihrer Übersicht.',
    ],
    expired: [
      'Dieser Link ist abgelaufen',
      'Links in einer Übersicht gelten 30 Tage. Es wurde nichts geändert. Nutzen Sie die Links einer neueren Übersicht.',
    ],
    notAllowed: ['Hier gibt es nichts', 'Diese Adresse öffnet nur die Aktionslinks aus unseren Übersichten.'],
  },
};

const fill = (text: string, values: Record<string, string>) =>
  escapeHtml(text.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? ''));

const plainPage = (locale: Locale, [title, text]: [string, string], values: Record<string, string> = {}) =>
  page(locale, title, `<p>${fill(text, values)}</p>`);

/** GET: what the link will do, and a button that POSTs to the same address. */
export function confirmActionPage(locale: Locale, action: OwnerAction, customerName: string): string {
  const [title, text, button] = WORDS[locale].confirm[action];
  return page(
    locale,
    title,
    `<p>${fill(text, { customer: customerName })}</p><form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">${escapeHtml(button)}</button></form>`,
  );
}

export function outcomePage(locale: Locale, outcome: ActionOutcome, customerName: string): string {
  const w = WORDS[locale];
  switch (outcome.kind) {
    case 'gone':
    case 'used':
    case 'closed':
      return plainPage(locale, w[outcome.kind]);
    case 'snoozed':
    case 'paused':
      return plainPage(locale, w.outcome[outcome.kind], {
        customer: customerName,
        date: localeFormat(locale).date(outcome.until),
      });
    default:
      return plainPage(locale, w.outcome[outcome.kind], { customer: customerName });
  }
}

export const badActionLinkPage = (locale: Locale) => plainPage(locale, WORDS[locale].bad);
export const expiredActionLinkPage = (locale: Locale) => plainPage(locale, WORDS[locale].expired);
export const goneActionPage = (locale: Locale) => plainPage(locale, WORDS[locale].gone);
export const notAllowedActionPage = (locale: Locale) => plainPage(locale, WORDS[locale].notAllowed);
