// The switch's groups, as GROUP_MOD leaves them and GROUP_DESC reports them. Open vSwitch
// accepts a bucket naming a group that does not exist (yet), and deleting a group leaves the
// groups chained to it alone; the flows that use it go (the datapath removes those).
import { Group } from '../../openflow/constants.ts';
import type { GroupDesc, GroupMod } from '../../openflow/messages.ts';
import { Refused, type Refusal } from './refusal.ts';

export type GroupOutcome = { refusal: Refusal } | { deleted: number[] };

export class GroupTable {
  private readonly groups = new Map<number, GroupDesc>();

  has(id: number): boolean {
    return this.groups.has(id);
  }

  get size(): number {
    return this.groups.size;
  }

  /** By id, as OVS lists them. */
  list(): GroupDesc[] {
    return [...this.groups.values()].sort((a, b) => a.groupId - b.groupId);
  }

  clear(): void {
    this.groups.clear();
  }

  apply(mod: GroupMod): GroupOutcome {
    const { groupId } = mod;
    const desc = (): GroupDesc => ({ groupType: mod.groupType, groupId, buckets: mod.buckets });
    switch (mod.command) {
      case 'add':
        if (groupId > Group.MAX) return { refusal: Refused.INVALID_GROUP };
        if (this.groups.has(groupId)) return { refusal: Refused.GROUP_EXISTS };
        this.groups.set(groupId, desc());
        return { deleted: [] };
      case 'modify':
        if (groupId > Group.MAX) return { refusal: Refused.INVALID_GROUP };
        if (!this.groups.has(groupId)) return { refusal: Refused.UNKNOWN_GROUP };
        this.groups.set(groupId, desc());
        return { deleted: [] };
      case 'delete': {
        const deleted = groupId === Group.ALL ? [...this.groups.keys()] : this.groups.has(groupId) ? [groupId] : [];
        for (const id of deleted) this.groups.delete(id);
        return { deleted };
      }
    }
  }
}
