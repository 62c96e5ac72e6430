// Semantic rules of security groups: what a port and a rule name must be a group of the file,
// each group listed once on a port. Group names are their own namespace (a group may share its
// name with a switch, as in the contract's example): steps never name a group.
import type { Pass } from './validate-pass.ts';
import { isRemoteGroup } from '../model/index.ts';

export function checkSecurityGroups(pass: Pass): void {
  const groups = pass.topology['security-groups'] ?? {};
  const known = (group: string) => Object.hasOwn(groups, group) || pass.unknown('security-groups', group);
  const groupList = Object.keys(groups).join(', ') || 'none in this lab';
  for (const [groupName, rules] of Object.entries(groups)) {
    rules.forEach((rule, i) => {
      if (!isRemoteGroup(rule.remote) || known(rule.remote)) return;
      pass.add(
        ['security-groups', groupName, i, 'remote'],
        `rule ${i + 1} of security group ${groupName} has remote ${rule.remote}, which is neither a subnet nor a security group`,
        `a subnet like 10.0.0.0/8, or a security group: ${groupList}`,
      );
    });
  }
  for (const [swName, sw] of Object.entries(pass.switches)) {
    for (const [portName, port] of Object.entries(sw.ports ?? {})) {
      const seen = new Set<string>();
      (port['security-groups'] ?? []).forEach((group, i) => {
        const path = ['logical-switches', swName, 'ports', portName, 'security-groups', i];
        if (seen.has(group)) pass.add(path, `port ${portName} lists security group ${group} twice`, 'each group once');
        else if (!known(group))
          pass.add(path, `port ${portName} is in ${group}, which is not a security group`, `a security group: ${groupList}`);
        seen.add(group);
      });
    }
  }
}
