// The app's screens. Each is a module exporting
//   titleKey: the catalogue key (i18n.js) of its title
//   mount(root, ctx): draws itself into `root` and returns {unmount?(), busy?(), refresh?(reason)}
//     busy(): true while the learner is in the middle of something (the app then does not
//       redraw or leave the screen on its own); refresh(reason): the data changed ("synced")
//       or the day changed ("day").
// ctx: {app, store, t, language, settings} (see app.js, App#context).
// To add a screen (nuggets, refreshers, progress…): write screens/<name>.js and list it here;
// `nav` is the catalogue key of its link in the main navigation (null: not in the navigation);
// `shownTo(audience)`, when given, says whether the link is offered to this person
// (audience: {me: the pull's `me` or null, sharedWithMe: observations shared with them,
// leaderboard: a leaderboard is kept}; App#audience).
// A screen left out of the navigation still opens by its address. `under`: the screen whose link
// is marked current while this one is shown (an observation: Team). `takes(param)`: this entry
// takes only the items it says yes to (one pitch under #/pitches); screenFor picks the entry.
import * as study from "./study.js";
import * as settings from "./settings.js";
import * as signIn from "./sign-in.js";
import * as nuggets from "./nuggets.js";
import * as refreshers from "./refreshers.js";
import * as progress from "./progress.js";
import * as sessions from "./sessions.js";
import * as feedback from "./feedback.js";
import * as team from "./team.js";
import * as observe from "./observe.js";
import * as observation from "./observation.js";
import * as leaderboard from "./leaderboard.js";
import * as pitch from "./pitch.js";
import * as examples from "./examples.js";
import * as pitches from "./pitches.js";

export const SCREENS = Object.freeze([
  { name: "study", module: study, nav: "nav.study" },
  { name: "feedback", module: feedback, nav: "nav.feedback", shownTo: feedback.shownTo },
  { name: "nuggets", module: nuggets, nav: "nav.nuggets" },
  { name: "refreshers", module: refreshers, nav: "nav.refreshers" },
  { name: "progress", module: progress, nav: "nav.progress" },
  { name: "leaderboard", module: leaderboard, nav: "nav.leaderboard", shownTo: leaderboard.shownTo },
  { name: "examples", module: examples, nav: "nav.examples", shownTo: examples.shownTo },
  { name: "pitches", module: pitch, nav: null, takes: pitch.takes },
  { name: "pitches", module: pitches, nav: "nav.pitches", shownTo: pitches.shownTo },
  { name: "team", module: team, nav: "nav.team", shownTo: team.shownTo },
  { name: "observe", module: observe, nav: null, under: "team" },
  { name: "observation", module: observation, nav: null, under: "team" },
  { name: "sessions", module: sessions, nav: "nav.sessions", shownTo: sessions.shownTo },
  { name: "settings", module: settings, nav: "nav.settings" },
  { name: "sign-in", module: signIn, nav: null },
]);

export const DEFAULT_SCREEN = "study";

/**
 * The entry that shows #/<name>/<param>: one whose `takes` says yes to the param, else the one
 * without `takes`; undefined when none.
 */
export function screenFor(name, param = null) {
  const named = SCREENS.filter((s) => s.name === name);
  return named.find((s) => s.takes?.(param)) ?? named.find((s) => !s.takes);
}
