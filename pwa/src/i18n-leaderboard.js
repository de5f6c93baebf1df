// The Leaderboard screen's words (screens/leaderboard.js), in English and Dutch; the catalogue
// in i18n.js takes them in. Same rules as there.

export const en = {
  "nav.leaderboard": "Leaderboard",
  "leaderboard.title": "Leaderboard",
  "leaderboard.none": "Your organisation has no leaderboard. Sync once online to check again.",
  "leaderboard.asOf": "As of {date}: the last {days} days.",
  "leaderboard.means":
    "A point is a question you got right on a later day than you first answered it (the first answer of that day counts): it shows what you remember, not how often you tap. Only the top 10 are shown to everyone.",
  "leaderboard.topCaption": "Top 10 reps",
  "leaderboard.rank": "Rank",
  "leaderboard.name": "Name",
  "leaderboard.score": "Points",
  "leaderboard.noTop": "No one has scored in these days yet.",
  "leaderboard.mineHeading": "Your place (only you see this)",
  "leaderboard.mine": { one: "You: {place} of {of}, {n} point.", other: "You: {place} of {of}, {n} points." },
  "leaderboard.notRep": "You are not a rep in any team, so you have no place of your own.",
  "leaderboard.teamsCaption": "Teams by average points per rep",
  "leaderboard.team": "Team",
  "leaderboard.average": "Average",
  "leaderboard.reps": "Reps",
  "leaderboard.teamsNote": "A team's average counts every rep, also those who have not started. Teams with fewer than 3 reps are not listed.",
  "leaderboard.noTeams": "No team has 3 or more reps.",
};

export const nl = {
  "nav.leaderboard": "Ranglijst",
  "leaderboard.title": "Ranglijst",
  "leaderboard.none": "Je organisatie heeft geen ranglijst. Synchroniseer eenmaal online om het opnieuw te bekijken.",
  "leaderboard.asOf": "Stand op {date}: de laatste {days} dagen.",
  "leaderboard.means":
    "Een punt is een vraag die je goed had op een latere dag dan je hem voor het eerst beantwoordde (het eerste antwoord van die dag telt): het laat zien wat je onthoudt, niet hoe vaak je tikt. Alleen de top 10 is voor iedereen zichtbaar.",
  "leaderboard.topCaption": "Top 10 vertegenwoordigers",
  "leaderboard.rank": "Plaats",
  "leaderboard.name": "Naam",
  "leaderboard.score": "Punten",
  "leaderboard.noTop": "Nog niemand heeft punten in deze dagen.",
  "leaderboard.mineHeading": "Jouw plaats (alleen jij ziet dit)",
  "leaderboard.mine": { one: "Jij: {place} van {of}, {n} punt.", other: "Jij: {place} van {of}, {n} punten." },
  "leaderboard.notRep": "Je bent in geen enkel team vertegenwoordiger, dus je hebt geen eigen plaats.",
  "leaderboard.teamsCaption": "Teams op gemiddeld aantal punten per vertegenwoordiger",
  "leaderboard.team": "Team",
  "leaderboard.average": "Gemiddelde",
  "leaderboard.reps": "Vertegenwoordigers",
  "leaderboard.teamsNote": "Het gemiddelde van een team telt iedere vertegenwoordiger, ook wie nog niet begonnen is. Teams met minder dan 3 vertegenwoordigers staan er niet in.",
  "leaderboard.noTeams": "Geen team heeft 3 of meer vertegenwoordigers.",
};
