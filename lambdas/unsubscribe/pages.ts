import type { Locale } from '../domain/locales';
import { escapeHtml, page } from '../shared/publicEndpoint';

// The pages a recipient sees after clicking the unsubscribe link, in our own words, in their language.
const WORDS: Record<
  Locale,
  {
    confirmTitle: string;
    confirmText: string;
    button: string;
    doneTitle: string;
    doneText: string;
    badTitle: string;
    badText: string;
    expiredTitle: string;
    expiredText: string;
    notAllowedTitle: string;
    notAllowedText: string;
  }
> = {
  en: {
    confirmTitle: 'Unsubscribe from these emails?',
    confirmText: 'We will stop sending licence emails to {email}.',
    button: 'Unsubscribe',
    doneTitle: 'You are unsubscribed',
    doneText:
      'We will send no more licence emails to {email}. Your account manager may still call you about your subscription.',
    badTitle: 'This link does not work',
    badText:
      'The unsubscribe link is incomplete or was changed. Please use the link from the email, or reply to the email and we will take you off the list.',
    expiredTitle: 'This link has expired',
    expiredText:
      'Unsubscribe links work for a year after their email. Please use the link in a recent email, or reply to any of our emails and we will take you off the list.',
    notAllowedTitle: 'Nothing to see here',
    notAllowedText: 'This address only opens the unsubscribe links in our emails.',
  },
  es: {
    confirmTitle: '¿Darse de baja de estos correos?',
    confirmText: 'Dejaremos de enviar correos sobre licencias a {email}.',
    button: 'Darse de baja',
    doneTitle: 'Se ha dado de baja',
    doneText:
      'No enviaremos más correos sobre licencias a {email}. Su responsable de cuenta podrá seguir llamándole sobre su suscripción.',
    badTitle: 'Este enlace no funciona',
    badText:
      'El enlace de baja está incompleto o ha sido modificado. Use el enlace del correo, o responda al correo y le quitaremos de la lista.',
    expiredTitle: 'Este enlace ha caducado',
    expiredText:
      'Los enlaces de baja funcionan durante un año desde su correo. Use el enlace de un correo reciente, o responda a cualquiera de nuestros correos y le quitaremos de la lista.',
    notAllowedTitle: 'Aquí no hay nada',
    notAllowedText: 'Esta dirección solo abre los enlaces de baja de nuestros correos.',
  },
  fr: {
    confirmTitle: 'Se désabonner de ces e-mails ?',
    confirmText: "Nous n'enverrons plus d'e-mails sur vos licences à {email}.",
    button: 'Se désabonner',
    doneTitle: 'Vous êtes désabonné',
    doneText:
      "Nous n'enverrons plus d'e-mails sur vos licences à {email}. Votre responsable de compte pourra encore vous appeler au sujet de votre abonnement.",
    badTitle: 'Ce lien ne fonctionne pas',
    badText:
      "Le lien de désabonnement est incomplet ou a été modifié. Utilisez le lien de l'e-mail, ou répondez à l'e-mail et nous vous retirerons de la liste.",
    expiredTitle: 'Ce lien a expiré',
    expiredText:
      "Les liens de désabonnement fonctionnent un an après leur e-mail. Utilisez le lien d'un e-mail récent, ou répondez à l'un de nos e-mails et nous vous retirerons de la liste.",
    notAllowedTitle: 'Rien à voir ici',
    notAllowedText: "Cette adresse n'ouvre que les liens de désabonnement de nos e-mails.",
  },
  de: {
    confirmTitle: 'Diese E-Mails abbestellen?',
    confirmText: 'Wir senden keine Lizenz-E-Mails mehr an {email}.',
    button: 'Abbestellen',
    doneTitle: 'Sie haben die E-Mails abbestellt',
    doneText:
      'Wir senden keine Lizenz-E-Mails mehr an {email}. Ihr Kundenbetreuer kann Sie weiterhin zu Ihrem Abonnement anrufen.',
    badTitle: 'Dieser Link funktioniert nicht',
    badText:
      'Der Abmeldelink ist unvollständig oder wurde verändert. Nutzen Sie den Link aus der E-Mail, oder antworten Sie auf die E-Mail, dann tragen wir Sie aus.',
    expiredTitle: 'Dieser Link ist abgelaufen',
    expiredText:
      'Abmeldelinks gelten ein Jahr ab ihrer E-Mail. Nutzen Sie den Link aus einer neueren E-Mail, oder antworten Sie auf eine unserer E-Mails, dann tragen wir Sie aus.',
    notAllowedTitle: 'Hier gibt es nichts',
    notAllowedText: 'Diese Adresse öffnet nur die Abmeldelinks aus unseren E-Mails.',
  },
};

export function confirmPage(locale: Locale, email: string): string {
  const w = WORDS[locale];
  return page(
    locale,
    w.confirmTitle,
    `<p>${escapeHtml(w.confirmText.replace('{email}', email))}</p><form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">${escapeHtml(w.button)}</button></form>`,
  );
}

export function donePage(locale: Locale, email: string): string {
  const w = WORDS[locale];
  return page(locale, w.doneTitle, `<p>${escapeHtml(w.doneText.replace('{email}', email))}</p>`);
}

export function badLinkPage(locale: Locale): string {
  const w = WORDS[locale];
  return page(locale, w.badTitle, `<p>${escapeHtml(w.badText)}</p>`);
}

export function expiredLinkPage(locale: Locale): string {
  const w = WORDS[locale];
  return page(locale, w.expiredTitle, `<p>${escapeHtml(w.expiredText)}</p>`);
}

export function notAllowedPage(locale: Locale): string {
  const w = WORDS[locale];
  return page(locale, w.notAllowedTitle, `<p>${escapeHtml(w.notAllowedText)}</p>`);
}
