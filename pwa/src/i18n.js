// The app's words, in English and Dutch. Every string the screens show comes from here.
//
// An entry is a string or, when it depends on a number `n`, {one, other} chosen by
// Intl.PluralRules. `{name}` in an entry is replaced by the value of `name`. `n` is the number
// the noun agrees with: "{done} of {n} lessons done" (1 of 12 lessons), never "{n} of {total}".

import * as intervision from "./i18n-intervision.js";
import * as coach from "./i18n-coach.js";
import * as leaderboard from "./i18n-leaderboard.js";
import * as feedback from "./i18n-feedback.js";
import * as prompts from "./i18n-prompts.js";
import * as pitchReview from "./i18n-pitch-review.js";
import * as pitch from "./i18n-pitch.js";

export const LANGUAGES = Object.freeze(["en", "nl"]);
export const LANGUAGE_NAMES = Object.freeze({ en: "English", nl: "Nederlands" });

const en = {
  "app.tagline": "Sales training that sticks.",
  "app.loading": "Opening…",
  "app.storeUnavailable": "This browser cannot store data for Recap (private mode?), so Recap cannot run here. Open it in a normal window or another browser.",
  "app.blocked": "Recap was updated in another tab. Reload this page to continue.",
  "nav.label": "Main",
  "nav.study": "Today",
  "nav.nuggets": "Lessons",
  "nav.refreshers": "How do I…?",
  "nav.progress": "Progress",
  "nav.feedback": "Feedback",
  "nav.settings": "Settings",
  "nav.more": "More",

  "sync.unsynced": { one: "{n} not synced", other: "{n} not synced" },
  "sync.allSynced": "All synced",
  "sync.notSignedIn": "Not signed in",
  "sync.now": "Sync now",
  "sync.syncing": "Syncing…",
  "sync.offline": "Offline: answers kept here",
  "sync.paused": "Sign in to sync.",
  "sync.signIn": "Sign in",
  "sync.stopped": "Sync stopped: {detail}",
  "sync.rejected": "The server did not accept an answer to “{question}”: {reason}",
  "sync.rejectedAcknowledgement": "The server did not accept something you marked as done: {reason}",
  "sync.rejectedOther": "The server did not accept a change: {reason}",
  "sync.contentError": "A library update could not be used ({detail}); the previous version stays.",
  "sync.diverged": "This device and the server disagree about your answers; nothing was deleted.",
  "sync.storageFull": "This device's storage is full, so syncing waits until there is room. Nothing was lost.",

  "notice.offlineReady": "Ready to work offline",
  "notice.update": "Update available",
  "notice.updateNow": "Update now",
  "notice.dismiss": "Dismiss",

  "signin.title": "Sign in",
  "signin.intro": "Enter your work email and we will email you a 6-digit code. Your answers are saved on this device first and synced to your account.",
  "signin.expired": "Your session has ended. Sign in again to sync: nothing on this device is lost.",
  "signin.email": "Email",
  "signin.emailHint": "For example name@company.com",
  "signin.sendCode": "Email me a code",
  "signin.sending": "Sending…",
  "signin.codeSent": "Enter the 6-digit code we emailed to {email}.",
  "signin.code": "Sign-in code",
  "signin.codeHint": "It works once, for 10 minutes. No email? Check your spam folder, or send a new code.",
  "signin.submit": "Sign in",
  "signin.checking": "Checking…",
  "signin.resend": "Send a new code",
  "signin.resent": "We emailed a new code to {email}. Only the newest code works.",
  "signin.otherAddress": "Use another address",
  "signin.later": "Not now",
  "signin.invalid": "Enter an email address such as name@company.com.",
  "signin.codeInvalid": "Enter the 6 digits from the email.",
  "signin.codeRejected": "That code is wrong or has expired. Check the newest email, or send a new code.",
  "signin.rateLimited": "Too many attempts. Wait 15 minutes, then try again.",
  "signin.rateLimitedFor": { one: "Too many attempts. Try again in {n} minute.", other: "Too many attempts. Try again in {n} minutes." },
  "signin.offline": "You are offline. Signing in needs an internet connection; studying does not, and your answers stay safe on this device.",
  "signin.offlineFirst": "You are offline. Signing in needs an internet connection; once you are signed in, you can study offline.",
  "signin.serverError": "Signing in did not work just now. Try again in a moment.",
  "signin.otherUser": { one: "{n} answer of {user} is not synced yet. Sign in as {user} to sync it first.", other: "{n} answers of {user} are not synced yet. Sign in as {user} to sync them first." },

  "study.title": "Today",
  "study.loading": "Loading the library…",
  "study.waiting": "Getting your questions for today…",
  "study.noLibrary": "The library has not been downloaded yet. Connect to the internet once to get it.",
  "study.noCampaigns": "You are not in any campaign yet.",
  "study.progress": "Question {i} of {n}",
  "study.new": "New question",
  "study.repeat": "Repeat",
  "study.chooseOne": "Choose one answer",
  "study.chooseAll": "Choose all that apply",
  "study.check": "Check answer",
  "study.pickFirst": "Choose an answer first.",
  "study.correct": "Correct",
  "study.wrong": "Not quite",
  "study.rightAnswer": "right answer",
  "study.yourAnswer": "your answer",
  "study.teachingPoint": "Remember",
  "study.readMore": "Read more",
  "study.readLesson": "Read the lesson",
  "study.relatedRefreshers": { one: "Related refresher", other: "Related refreshers" },
  "study.backIn": { one: "Back tomorrow", other: "Back in {n} days" },
  "study.retired": "Mastered: this question will not come back.",
  "study.next": "Next",
  "study.doneTitle": "Done for today",
  "study.nothingTitle": "Nothing to answer right now",
  "study.answeredToday": { one: "You answered {n} question today.", other: "You answered {n} questions today." },
  "study.nextTomorrow": "Your next question comes tomorrow.",
  "study.nextOn": "Your next question comes on {date}.",
  "study.noMore": "No more questions are planned for you.",
  "study.saveFailed": "Your answer could not be saved: {detail}",
  "study.todayLabel": "Today's questions",
  "study.todayProgress": "{i} of {n} answered today",
  "study.week": "This week: {n} of {goal} days studied",
  "study.weekDone": "Weekly goal reached: {n} of {goal} days studied",
  "study.weekOf": "{n} of {goal}",
  "study.weekLabel": "days studied this week",
  "study.rightOf": "{right} of {n}",
  "study.rightToday": "right today",
  "study.streak": { one: "day in a row", other: "days in a row" },
  "study.comingBack": "Coming back",
  "study.backTomorrow": { one: "Tomorrow: {n} question", other: "Tomorrow: {n} questions" },
  "study.backOn": { one: "{date}: {n} question", other: "{date}: {n} questions" },
  "study.storageFull": "This device's storage is full, so this answer was not saved. Everything recorded before is safe. Free up some space, then check your answer again.",
  "study.fromCoaching": "From your coaching on {date}",

  "settings.title": "Settings",
  "settings.language": "Language",
  "settings.automatic": "Automatic ({language})",
  "settings.dayStarts": "A new day starts at",
  "settings.dayStartsHint": "Questions answered before this hour count for the day before.",
  "settings.account": "Account",
  "settings.signedInAs": "Signed in as {user}",
  "settings.notSignedIn": "Not signed in",
  "settings.switchUser": "Sign in as someone else",
  "settings.signOut": "Sign out",
  "settings.signOutHint": "Answers not synced yet stay on this device and are sent when you sign in again.",
  "settings.library": "Library",
  "settings.libraryVersion": "Library version {version}: {questions} questions, {campaigns} campaigns.",
  "settings.noLibrary": "No library downloaded yet.",
  "settings.saved": "Saved.",

  "reminders.title": "Daily reminder",
  "reminders.intro": "A reminder on days you have not answered yet. It never comes twice in a day.",
  "reminders.enabled": "Remind me",
  "reminders.time": "At",
  "reminders.quietStart": "Quiet from",
  "reminders.quietEnd": "Quiet until",
  "reminders.quietHint": "Nothing arrives between these times; a reminder due then comes when they end. Times are in your time zone, {zone}.",
  "reminders.email": "Email me when no device of mine shows notifications",
  "reminders.save": "Save reminder",
  "reminders.saving": "Saving…",
  "reminders.saved": "Reminder saved: {time}.",
  "reminders.savedOff": "Reminders are off.",
  "reminders.push": "Notifications on this device",
  "reminders.pushOn": "Turn on notifications",
  "reminders.pushOff": "Turn off notifications",
  "reminders.pushActive": "This device shows your reminder as a notification.",
  "reminders.pushInactive": "This device does not show notifications; the reminder comes by email if you allow it.",
  "reminders.pushUnsupported": "This browser cannot show notifications from Recap. Install the app, or get the reminder by email.",
  "reminders.pushDenied": "Notifications are blocked for Recap in this browser's settings.",
  "reminders.failed": "That did not work: {detail}",
  "reminders.signInFirst": "Sign in to choose a daily reminder.",
  "reminders.offline": "Reminder settings need a connection. Try again when you are online.",
  "reminders.notificationTitle": "Your questions for today",
  "reminders.notificationBody": "Two minutes now keep what you learned.",

  "nuggets.title": "Two-minute lessons",
  "nuggets.intro": "Short lessons to read when you have a moment. They work offline.",
  "nuggets.none": "There are no lessons in the library yet.",
  "nuggets.doneCount": { one: "{done} of {n} lesson done.", other: "{done} of {n} lessons done." },
  "nuggets.minutes": { one: "{n} minute read", other: "{n} minute read" },
  "nuggets.done": "Done",
  "nuggets.all": "All lessons",
  "nuggets.markDone": "Mark as done",
  "nuggets.markNotDone": "Mark as not done",
  "nuggets.markedDone": "Marked as done.",
  "nuggets.markedNotDone": "Marked as not done.",
  "nuggets.saveFailed": "This could not be saved: {detail}",

  "reading.onlyIn": "Only in {language}",
  "reading.untranslated": "Not translated yet: these are in their original language.",

  "refreshers.title": "How do I…?",
  "refreshers.intro": "Quick refreshers for the moment you need them, also offline.",
  "refreshers.searchLabel": "Search the refreshers",
  "refreshers.searchHint": "For example: who decides, renewal, lost deal",
  "refreshers.results": { one: "{n} refresher found", other: "{n} refreshers found" },
  "refreshers.noResults": "Nothing found for “{query}”. Try other words, or browse below by clearing the search.",
  "refreshers.all": "All refreshers",
  "refreshers.backToResults": "Back to the results",
  "refreshers.steps": "Steps",
  "refreshers.more": "In practice",

  "progress.title": "Your progress",
  "progress.answers": { one: "answer given", other: "answers given" },
  "progress.seen": { one: "of {n} question seen", other: "of {n} questions seen" },
  "progress.retired": { one: "question mastered", other: "questions mastered" },
  "progress.streak": { one: "day streak", other: "day streak" },
  "progress.numbersExplained": "Answers count every repeat; a question is seen once you have answered it.",
  "progress.streakHint": "Your streak counts the days in a row on which you answered at least one question, up to today or yesterday.",
  "progress.byCompetency": "By competency",
  "progress.forecastExplained": "For each competency: how much you are likely to recall today, by the scheduler's model of forgetting, and which questions will fade within {days} days. With few answers this is a rough estimate.",
  "progress.notStarted": { one: "Not started: {n} question to come.", other: "Not started: {n} questions to come." },
  "progress.recallNow": "Likely to recall today: about {percent}% (model estimate)",
  "progress.basisAnswers": { one: "{n} answer", other: "{n} answers" },
  "progress.basisSeen": { one: "{seen} of {n} question seen", other: "{seen} of {n} questions seen" },
  "progress.lastRight": "last answer right on {right} of {n}",
  "progress.weak": { one: "A weak estimate: {n} answer.", other: "A weak estimate: {n} answers." },
  "progress.belowNow": { one: "{n} question is already below {target}%.", other: "{n} questions are already below {target}%." },
  "progress.fading": { one: "{n} question will fall below {target}% within {days} days.", other: "{n} questions will fall below {target}% within {days} days." },
  "progress.noneFading": "No question you know now falls below {target}% within {days} days.",
  "progress.noQuestions": "You have no questions yet.",
};

/** @type {typeof en} */
const nl = {
  "app.tagline": "Verkooptraining die blijft hangen.",
  "app.loading": "Openen…",
  "app.storeUnavailable": "Deze browser kan geen gegevens voor Recap bewaren (privévenster?), dus Recap werkt hier niet. Open het in een gewoon venster of een andere browser.",
  "app.blocked": "Recap is in een ander tabblad bijgewerkt. Laad deze pagina opnieuw om verder te gaan.",
  "nav.label": "Hoofdmenu",
  "nav.study": "Vandaag",
  "nav.nuggets": "Lessen",
  "nav.refreshers": "Hoe doe ik…?",
  "nav.progress": "Voortgang",
  "nav.feedback": "Feedback",
  "nav.settings": "Instellingen",
  "nav.more": "Meer",

  "sync.unsynced": { one: "{n} niet gesynchroniseerd", other: "{n} niet gesynchroniseerd" },
  "sync.allSynced": "Alles gesynchroniseerd",
  "sync.notSignedIn": "Niet ingelogd",
  "sync.now": "Nu synchroniseren",
  "sync.syncing": "Synchroniseren…",
  "sync.offline": "Offline: antwoorden blijven hier",
  "sync.paused": "Log in om te synchroniseren.",
  "sync.signIn": "Inloggen",
  "sync.stopped": "Synchroniseren gestopt: {detail}",
  "sync.rejected": "De server heeft een antwoord op “{question}” niet geaccepteerd: {reason}",
  "sync.rejectedAcknowledgement": "De server heeft iets dat je als gelezen markeerde niet geaccepteerd: {reason}",
  "sync.rejectedOther": "De server heeft een wijziging niet geaccepteerd: {reason}",
  "sync.contentError": "Een update van de bibliotheek kon niet worden gebruikt ({detail}); de vorige versie blijft.",
  "sync.diverged": "Dit apparaat en de server zijn het oneens over je antwoorden; er is niets verwijderd.",
  "sync.storageFull": "De opslag van dit apparaat is vol, dus synchroniseren wacht tot er ruimte is. Er is niets verloren gegaan.",

  "notice.offlineReady": "Klaar om offline te werken",
  "notice.update": "Update beschikbaar",
  "notice.updateNow": "Nu bijwerken",
  "notice.dismiss": "Sluiten",

  "signin.title": "Inloggen",
  "signin.intro": "Vul je werkmailadres in, dan mailen we je een code van 6 cijfers. Je antwoorden worden eerst op dit apparaat bewaard en dan met je account gesynchroniseerd.",
  "signin.expired": "Je sessie is verlopen. Log opnieuw in om te synchroniseren: er gaat niets verloren op dit apparaat.",
  "signin.email": "E-mailadres",
  "signin.emailHint": "Bijvoorbeeld naam@bedrijf.nl",
  "signin.sendCode": "Mail me een code",
  "signin.sending": "Versturen…",
  "signin.codeSent": "Vul de code van 6 cijfers in die we naar {email} hebben gemaild.",
  "signin.code": "Inlogcode",
  "signin.codeHint": "Hij werkt één keer, 10 minuten lang. Geen mail? Kijk in je spammap, of vraag een nieuwe code aan.",
  "signin.submit": "Inloggen",
  "signin.checking": "Controleren…",
  "signin.resend": "Stuur een nieuwe code",
  "signin.resent": "We hebben een nieuwe code naar {email} gemaild. Alleen de nieuwste code werkt.",
  "signin.otherAddress": "Ander e-mailadres gebruiken",
  "signin.later": "Niet nu",
  "signin.invalid": "Vul een e-mailadres in, zoals naam@bedrijf.nl.",
  "signin.codeInvalid": "Vul de 6 cijfers uit de mail in.",
  "signin.codeRejected": "Die code klopt niet of is verlopen. Kijk in de nieuwste mail, of vraag een nieuwe code aan.",
  "signin.rateLimited": "Te veel pogingen. Wacht 15 minuten en probeer het dan opnieuw.",
  "signin.rateLimitedFor": { one: "Te veel pogingen. Probeer het over {n} minuut opnieuw.", other: "Te veel pogingen. Probeer het over {n} minuten opnieuw." },
  "signin.offline": "Je bent offline. Inloggen kan alleen met internetverbinding; oefenen kan ook zonder, en je antwoorden blijven veilig op dit apparaat.",
  "signin.offlineFirst": "Je bent offline. Inloggen kan alleen met internetverbinding; daarna kun je ook offline oefenen.",
  "signin.serverError": "Inloggen lukte net niet. Probeer het zo opnieuw.",
  "signin.otherUser": { one: "{n} antwoord van {user} is nog niet gesynchroniseerd. Log eerst in als {user} om het te synchroniseren.", other: "{n} antwoorden van {user} zijn nog niet gesynchroniseerd. Log eerst in als {user} om ze te synchroniseren." },

  "study.title": "Vandaag",
  "study.loading": "De bibliotheek wordt geladen…",
  "study.waiting": "Je vragen voor vandaag worden opgehaald…",
  "study.noLibrary": "De bibliotheek is nog niet gedownload. Maak één keer verbinding met internet om hem op te halen.",
  "study.noCampaigns": "Je zit nog in geen enkele campagne.",
  "study.progress": "Vraag {i} van {n}",
  "study.new": "Nieuwe vraag",
  "study.repeat": "Herhaling",
  "study.chooseOne": "Kies één antwoord",
  "study.chooseAll": "Kies alle juiste antwoorden",
  "study.check": "Controleer antwoord",
  "study.pickFirst": "Kies eerst een antwoord.",
  "study.correct": "Juist",
  "study.wrong": "Niet helemaal",
  "study.rightAnswer": "juist antwoord",
  "study.yourAnswer": "jouw antwoord",
  "study.teachingPoint": "Onthoud",
  "study.readMore": "Verder lezen",
  "study.readLesson": "Lees de les",
  "study.relatedRefreshers": { one: "Opfrisser bij dit onderwerp", other: "Opfrissers bij dit onderwerp" },
  "study.backIn": { one: "Komt morgen terug", other: "Komt over {n} dagen terug" },
  "study.retired": "Beheerst: deze vraag komt niet meer terug.",
  "study.next": "Volgende",
  "study.doneTitle": "Klaar voor vandaag",
  "study.nothingTitle": "Nu niets te beantwoorden",
  "study.answeredToday": { one: "Je hebt vandaag {n} vraag beantwoord.", other: "Je hebt vandaag {n} vragen beantwoord." },
  "study.nextTomorrow": "Je volgende vraag komt morgen.",
  "study.nextOn": "Je volgende vraag komt op {date}.",
  "study.noMore": "Er staan geen vragen meer voor je gepland.",
  "study.saveFailed": "Je antwoord kon niet worden bewaard: {detail}",
  "study.todayLabel": "Vragen van vandaag",
  "study.todayProgress": "{i} van {n} beantwoord vandaag",
  "study.week": "Deze week: {n} van {goal} dagen geoefend",
  "study.weekDone": "Weekdoel gehaald: {n} van {goal} dagen geoefend",
  "study.weekOf": "{n} van {goal}",
  "study.weekLabel": "dagen geoefend deze week",
  "study.rightOf": "{right} van {n}",
  "study.rightToday": "goed vandaag",
  "study.streak": { one: "dag op rij", other: "dagen op rij" },
  "study.comingBack": "Komt terug",
  "study.backTomorrow": { one: "Morgen: {n} vraag", other: "Morgen: {n} vragen" },
  "study.backOn": { one: "{date}: {n} vraag", other: "{date}: {n} vragen" },
  "study.storageFull": "De opslag van dit apparaat is vol, dus dit antwoord is niet bewaard. Alles wat eerder is vastgelegd is veilig. Maak wat ruimte vrij en controleer je antwoord opnieuw.",
  "study.fromCoaching": "Uit je coaching van {date}",

  "settings.title": "Instellingen",
  "settings.language": "Taal",
  "settings.automatic": "Automatisch ({language})",
  "settings.dayStarts": "Een nieuwe dag begint om",
  "settings.dayStartsHint": "Vragen die je voor dit uur beantwoordt, tellen voor de dag ervoor.",
  "settings.account": "Account",
  "settings.signedInAs": "Ingelogd als {user}",
  "settings.notSignedIn": "Niet ingelogd",
  "settings.switchUser": "Inloggen als iemand anders",
  "settings.signOut": "Uitloggen",
  "settings.signOutHint": "Antwoorden die nog niet gesynchroniseerd zijn blijven op dit apparaat en worden verstuurd zodra je weer inlogt.",
  "settings.library": "Bibliotheek",
  "settings.libraryVersion": "Bibliotheekversie {version}: {questions} vragen, {campaigns} campagnes.",
  "settings.noLibrary": "Nog geen bibliotheek gedownload.",
  "settings.saved": "Opgeslagen.",

  "reminders.title": "Dagelijkse herinnering",
  "reminders.intro": "Een herinnering op dagen dat je nog niets hebt beantwoord. Nooit twee keer op een dag.",
  "reminders.enabled": "Herinner mij",
  "reminders.time": "Om",
  "reminders.quietStart": "Stil vanaf",
  "reminders.quietEnd": "Stil tot",
  "reminders.quietHint": "Tussen deze tijden komt er niets; een herinnering die dan zou komen, komt als de stilte voorbij is. Tijden gelden in jouw tijdzone, {zone}.",
  "reminders.email": "Mail mij als geen van mijn apparaten meldingen toont",
  "reminders.save": "Herinnering opslaan",
  "reminders.saving": "Opslaan…",
  "reminders.saved": "Herinnering opgeslagen: {time}.",
  "reminders.savedOff": "Herinneringen staan uit.",
  "reminders.push": "Meldingen op dit apparaat",
  "reminders.pushOn": "Meldingen aanzetten",
  "reminders.pushOff": "Meldingen uitzetten",
  "reminders.pushActive": "Dit apparaat toont je herinnering als melding.",
  "reminders.pushInactive": "Dit apparaat toont geen meldingen; de herinnering komt per mail als je dat toestaat.",
  "reminders.pushUnsupported": "Deze browser kan geen meldingen van Recap tonen. Installeer de app, of krijg de herinnering per mail.",
  "reminders.pushDenied": "Meldingen voor Recap zijn geblokkeerd in de instellingen van deze browser.",
  "reminders.failed": "Dat lukte niet: {detail}",
  "reminders.signInFirst": "Log in om een dagelijkse herinnering te kiezen.",
  "reminders.offline": "Voor herinneringen is een verbinding nodig. Probeer het opnieuw als je online bent.",
  "reminders.notificationTitle": "Je vragen voor vandaag",
  "reminders.notificationBody": "Twee minuten nu en je houdt vast wat je leerde.",

  "nuggets.title": "Lessen van twee minuten",
  "nuggets.intro": "Korte lessen om te lezen als je even tijd hebt. Ze werken ook offline.",
  "nuggets.none": "Er staan nog geen lessen in de bibliotheek.",
  "nuggets.doneCount": { one: "{done} van {n} les gelezen.", other: "{done} van {n} lessen gelezen." },
  "nuggets.minutes": { one: "{n} minuut lezen", other: "{n} minuten lezen" },
  "nuggets.done": "Gelezen",
  "nuggets.all": "Alle lessen",
  "nuggets.markDone": "Markeer als gelezen",
  "nuggets.markNotDone": "Markeer als niet gelezen",
  "nuggets.markedDone": "Gemarkeerd als gelezen.",
  "nuggets.markedNotDone": "Gemarkeerd als niet gelezen.",
  "nuggets.saveFailed": "Dit kon niet worden bewaard: {detail}",

  "reading.onlyIn": "Alleen in het {language}",
  "reading.untranslated": "Nog niet vertaald: deze staan in hun oorspronkelijke taal.",

  "refreshers.title": "Hoe doe ik…?",
  "refreshers.intro": "Snelle opfrissers voor het moment dat je ze nodig hebt, ook offline.",
  "refreshers.searchLabel": "Zoek in de opfrissers",
  "refreshers.searchHint": "Bijvoorbeeld: wie beslist, verlenging, verloren deal",
  "refreshers.results": { one: "{n} opfrisser gevonden", other: "{n} opfrissers gevonden" },
  "refreshers.noResults": "Niets gevonden voor “{query}”. Probeer andere woorden, of maak het zoekveld leeg om hieronder te bladeren.",
  "refreshers.all": "Alle opfrissers",
  "refreshers.backToResults": "Terug naar de resultaten",
  "refreshers.steps": "Stappen",
  "refreshers.more": "In de praktijk",

  "progress.title": "Je voortgang",
  "progress.answers": { one: "antwoord gegeven", other: "antwoorden gegeven" },
  "progress.seen": { one: "van {n} vraag gezien", other: "van {n} vragen gezien" },
  "progress.retired": { one: "vraag beheerst", other: "vragen beheerst" },
  "progress.streak": { one: "dag op rij", other: "dagen op rij" },
  "progress.numbersExplained": "Antwoorden tellen elke herhaling mee; een vraag heb je gezien zodra je hem één keer hebt beantwoord.",
  "progress.streakHint": "Je reeks telt de dagen achter elkaar waarop je minstens één vraag hebt beantwoord, tot en met vandaag of gisteren.",
  "progress.byCompetency": "Per competentie",
  "progress.forecastExplained": "Per competentie: hoeveel je vandaag waarschijnlijk nog weet, volgens het vergeetmodel van de planner, en welke vragen binnen {days} dagen wegzakken. Met weinig antwoorden is dat een ruwe schatting.",
  "progress.notStarted": { one: "Nog niet begonnen: {n} vraag komt nog.", other: "Nog niet begonnen: {n} vragen komen nog." },
  "progress.recallNow": "Weet je vandaag waarschijnlijk nog: ongeveer {percent}% (schatting van het model)",
  "progress.basisAnswers": { one: "{n} antwoord", other: "{n} antwoorden" },
  "progress.basisSeen": { one: "{seen} van {n} vraag gezien", other: "{seen} van {n} vragen gezien" },
  "progress.lastRight": "laatste antwoord goed bij {right} van {n}",
  "progress.weak": { one: "Een zwakke schatting: {n} antwoord.", other: "Een zwakke schatting: {n} antwoorden." },
  "progress.belowNow": { one: "{n} vraag zit al onder {target}%.", other: "{n} vragen zitten al onder {target}%." },
  "progress.fading": { one: "{n} vraag zakt binnen {days} dagen onder {target}%.", other: "{n} vragen zakken binnen {days} dagen onder {target}%." },
  "progress.noneFading": "Geen vraag die je nu weet zakt binnen {days} dagen onder {target}%.",
  "progress.noQuestions": "Je hebt nog geen vragen.",
};

// Each feature's words live beside it in a catalogue part of their own, taken in here.
const PARTS = [intervision, coach, leaderboard, feedback, prompts, pitchReview, pitch];

export const CATALOGUE = Object.freeze({
  en: Object.assign({}, en, ...PARTS.map((p) => p.en)),
  nl: Object.assign({}, nl, ...PARTS.map((p) => p.nl)),
});

/**
 * The language to use: the user's setting if it is one we have, else the first of the
 * browser's languages we have, else English.
 * @param {string|null|undefined} setting
 * @param {readonly string[]} [preferred] e.g. navigator.languages
 */
export function pickLanguage(setting, preferred = []) {
  if (setting && LANGUAGES.includes(setting)) return setting;
  for (const tag of preferred ?? []) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

/**
 * A translator for one language: t(key, vars). A missing key falls back to English, then to
 * the key itself (so a gap shows, rather than breaking the screen).
 */
export function translator(language) {
  const table = CATALOGUE[language] ?? CATALOGUE.en;
  const plurals = new Intl.PluralRules(language);
  const t = (key, vars = {}) => {
    let entry = table[key] ?? CATALOGUE.en[key] ?? key;
    if (typeof entry === "object") entry = entry[plurals.select(Number(vars.n ?? 0))] ?? entry.other;
    return entry.replace(/\{(\w+)\}/g, (whole, name) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole));
  };
  t.language = language;
  return t;
}

/**
 * A local day number as a date in words ("Monday 7 December", "maandag 7 december"). Day numbers count from
 * 1970-01-01, so formatting them as a UTC date gives the learner's calendar date.
 */
export function formatDay(day, language, preferred = globalThis.navigator?.languages ?? []) {
  // The browser's own variant of the language when it has one (en-GB writes "Monday 7 December").
  const locale = (preferred ?? []).find((tag) => String(tag).toLowerCase().split("-")[0] === language) ?? language;
  return new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }).format(
    new Date(day * 86_400_000),
  );
}
