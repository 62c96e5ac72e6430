// MAC addresses as nvlab writes them: six colon-separated hex octets, lower case.

export const MAC_PATTERN = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Whether `mac` is written as a MAC and is not a group (multicast or broadcast) address. */
export function isUnicastMac(mac: string): boolean {
  return MAC_PATTERN.test(mac) && (parseInt(mac.slice(0, 2), 16) & 1) === 0;
}

export function normalizeMac(mac: string): string {
  return mac.toLowerCase();
}
