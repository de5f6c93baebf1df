// Which items a person has acknowledged (docs/sync.md "Record kinds"): acknowledgements are
// events, and an item's state is the person's LATEST event for it in the order (at, id), as the
// server decides it (sync/kinds/acknowledgement.py, current). So marking a nugget done on one
// device and undoing it later on another ends the same way on both. Pure: no I/O.

/**
 * An acknowledgement event as the state needs it: a pulled one's `at` is the server's effective
 * time; an own one not pulled back yet has the device's clock.
 * @typedef {{id: string, item_kind: string, item_id: string, acknowledged: boolean, at: string}} AcknowledgementEvent
 */

const later = (a, b) => a.at > b.at || (a.at === b.at && a.id > b.id);

/**
 * The latest event per item, by "<item_kind>\n<item_id>".
 * @param {Iterable<AcknowledgementEvent>} events
 * @returns {Map<string, AcknowledgementEvent>}
 */
export function latestByItem(events) {
  const latest = new Map();
  for (const event of events) {
    const key = `${event.item_kind}\n${event.item_id}`;
    const held = latest.get(key);
    if (!held || later(event, held)) latest.set(key, event);
  }
  return latest;
}

/**
 * The ids of the items of `itemKind` whose latest event acknowledges them.
 * @param {Iterable<AcknowledgementEvent>} events
 * @returns {Set<string>}
 */
export function acknowledgedIds(events, itemKind) {
  const ids = new Set();
  for (const event of latestByItem(events).values()) {
    if (event.item_kind === itemKind && event.acknowledged) ids.add(event.item_id);
  }
  return ids;
}
