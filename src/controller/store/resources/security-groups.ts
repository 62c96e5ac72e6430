// A security group: one Security_Group row and a row per rule (its place kept), written in one
// transaction, the rules replaced as a whole on update. A rule whose remote is a group needs
// that group (itself aside); a group cannot be deleted while a port is in it or another group's
// rule names it.
import { RESOURCES, isRemoteGroup, type SecurityGroup } from '../../../model/index.ts';
import type { StoredResource } from '../description.ts';
import { NotFoundError, stillReferenced } from '../errors.ts';
import { securityGroupFromRows, securityGroupToRows } from '../rows.ts';

export const securityGroups: StoredResource<SecurityGroup> = {
  model: RESOURCES.securityGroups,
  table: 'Security_Group',
  children: [{ table: 'Security_Group_Rule', owner: 'group' }],
  toRows(group) {
    const rows = securityGroupToRows(group);
    return { row: rows.group, children: { Security_Group_Rule: rows.rules } };
  },
  read(s) {
    const rules = s.rows('Security_Group_Rule');
    return s.rows('Security_Group').map((g) => securityGroupFromRows(g, rules));
  },
  guardWrite(txn, group) {
    const remotes = new Set(group.rules.map((r) => r.remote).filter((r) => isRemoteGroup(r) && r !== group.name));
    for (const remote of remotes)
      txn.mustExist('Security_Group', 'name', remote, () => new NotFoundError(RESOURCES.securityGroups.kind, remote));
  },
  guardDelete(txn, name, view) {
    txn.mustNotExist('Logical_Port', [['security_groups', 'includes', [name]]], () =>
      stillReferenced(
        `security group "${name}" still has logical ports`,
        view.list('logicalPorts').filter((p) => p.securityGroups?.includes(name)),
      ),
    );
    // A rule of the group itself that names it goes with the group.
    txn.mustNotExist(
      'Security_Group_Rule',
      [
        ['remote', '==', name],
        ['group', '!=', name],
      ],
      () =>
        stillReferenced(
          `security group "${name}" is the remote of rules in security groups`,
          view.list('securityGroups').filter((g) => g.name !== name && g.rules.some((r) => r.remote === name)),
        ),
      'group',
    );
  },
};
