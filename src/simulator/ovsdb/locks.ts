// OVSDB locks (RFC 7047 4.1.8-4.1.10) of one simulated database: per name, its owner then the
// sessions waiting, in the order they asked. Made only when a peer asks for a lock.

export class Locks<Session> {
  private readonly queues = new Map<string, Session[]>();

  holds(session: Session, name: string): boolean {
    return this.queues.get(name)?.[0] === session;
  }

  asked(session: Session, name: string): boolean {
    return this.queues.get(name)?.includes(session) === true;
  }

  /** Joins the queue; true when the lock is now held. */
  lock(session: Session, name: string): boolean {
    const q = this.queues.get(name);
    if (!q) {
      this.queues.set(name, [session]);
      return true;
    }
    q.push(session);
    return false;
  }

  /** Takes the lock; the owner it was taken from, if any. */
  steal(session: Session, name: string): Session | undefined {
    const q = this.queues.get(name) ?? [];
    const owner = q[0];
    const rest = q.filter((s) => s !== session && s !== owner);
    this.queues.set(name, [session, ...rest]);
    return owner !== session ? owner : undefined;
  }

  /** Leaves the queue; the session that now holds the lock, if it changed hands. */
  unlock(session: Session, name: string): Session | undefined {
    const q = this.queues.get(name);
    if (!q) return undefined;
    const wasOwner = q[0] === session;
    const rest = q.filter((s) => s !== session);
    if (rest.length === 0) this.queues.delete(name);
    else this.queues.set(name, rest);
    return wasOwner ? rest[0] : undefined;
  }

  /** A session went away: every lock it held or waited for; the new owners by lock name. */
  release(session: Session): [string, Session][] {
    const granted: [string, Session][] = [];
    for (const name of [...this.queues.keys()]) {
      const next = this.unlock(session, name);
      if (next) granted.push([name, next]);
    }
    return granted;
  }
}
