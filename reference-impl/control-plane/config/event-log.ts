/**
 * @module reference-impl/control-plane/config/event-log
 * A bounded log of config events (rejections and warnings) for `/debug/events`.
 */

export interface ConfigEvent {
  time: string;
  level: 'rejected' | 'warning';
  /** `Kind ns/name` when known. */
  object?: string;
  file?: string;
  field?: string;
  reason: string;
  code?: string;
}

/** Creates an event log keeping the last `capacity` events. */
export function createEventLog(capacity = 1000) {
  const events: ConfigEvent[] = [];
  return {
    record(e: Omit<ConfigEvent, 'time'>): ConfigEvent {
      const ev = { time: new Date().toISOString(), ...e };
      events.push(ev);
      if (events.length > capacity) events.shift();
      return ev;
    },
    list(): readonly ConfigEvent[] {
      return events;
    },
  };
}

export type EventLog = ReturnType<typeof createEventLog>;
