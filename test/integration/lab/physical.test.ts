// Physical networks: hosts come up on their segment with its VLAN, and gateways are attached to
// the segments they serve.
import { describe, expect, test } from 'vitest';
import { labTopology, useLab } from './harness.ts';
import { runtime } from './support.ts';

describe('a lab with a VLAN-tagged physical network', () => {
  const lab = useLab(labTopology('physical.yaml'));
  const container = lab.container;

  test('a host on a VLAN holds its address on the tagged interface', async () => {
    const result = await runtime.exec(container('printer'), ['ip', '-d', '-o', 'addr', 'show', 'dev', 'eth0.10']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('192.168.10.50/24');
    const untagged = await runtime.exec(container('printer'), ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(untagged.stdout.trim()).toBe('');
  });

  test('hosts on the segment reach each other; the gateway sees their 802.1Q tag 10 on the wire', async () => {
    const gw = lab.plan.transportNodes.find((n) => n.name === 'gw1');
    const attachment = gw?.attachments.find((a) => a.network === 'office');
    expect(attachment).toBeDefined();
    // The gateway's NIC on the segment is the one holding its attachment address.
    const nic = (
      await runtime.exec(container('gw1'), ['sh', '-c', `ip -o -4 addr | awk '$4 ~ /^${attachment!.ip}\\// {print $2}'`])
    ).stdout.trim();
    expect(nic).toMatch(/^eth\d$/);
    // The segment floods broadcasts to the gateway: the hosts' first ARP request is tagged.
    const capture = runtime.exec(container('gw1'), ['timeout', '8', 'tcpdump', '-c', '1', '-nn', '-e', '-i', nic, 'vlan 10 and arp']);
    await new Promise((r) => setTimeout(r, 1500)); // tcpdump needs a moment to open the socket
    const ping = await runtime.exec(container('printer'), ['ping', '-c', '3', '-W', '2', '192.168.10.60']);
    expect(ping.exitCode).toBe(0);
    const seen = await capture;
    expect(seen.stdout).toMatch(/vlan 10, .*ARP.*Request who-has 192\.168\.10\.60 tell 192\.168\.10\.50/);
  });

  test('an untagged network carries its host plainly', async () => {
    const result = await runtime.exec(container('www'), ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(result.stdout).toContain('203.0.113.80/24');
  });
});
