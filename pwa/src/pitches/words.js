// How pitches put times and the room check into words (`t`: the app's translator, i18n.js;
// the words themselves are in i18n-pitch.js). Pure.

/** A time limit in words: "2 minutes", "90 seconds" (`t`: the app's translator). */
export function limitWords(t, seconds) {
  return seconds % 60 === 0 ? t("pitch.minutes", { n: seconds / 60 }) : t("pitch.seconds", { n: seconds });
}

/**
 * What the recording screen says when quota.js roomToRecord finds no room: "Not enough space on
 * this phone to record 2 minutes: free up about 12 MB". Null when there is room.
 */
export function noRoomMessage(t, room, seconds) {
  return room.ok ? null : t("record.noRoom", { limit: limitWords(t, seconds), mb: room.short_mb });
}
