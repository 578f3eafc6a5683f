/**
 * IPv4 ranges that can never be a real client of a public endpoint: documentation (RFC 5737), private
 * (RFC 1918), shared address space (RFC 6598), loopback, link-local, benchmarking (RFC 2544), multicast and
 * reserved. A prod API allowlist holding one of these admits nobody it means to (203.0.113.0/24 was the prod
 * stack's only entry) or, for private ranges, is refused by EKS, which takes public CIDRs only.
 */
const SPECIAL: readonly [cidr: string, what: string][] = [
    ["0.0.0.0/8", "\"this network\" (RFC 1122)"],
    ["10.0.0.0/8", "private (RFC 1918)"],
    ["100.64.0.0/10", "shared address space (RFC 6598)"],
    ["127.0.0.0/8", "loopback"],
    ["169.254.0.0/16", "link-local"],
    ["172.16.0.0/12", "private (RFC 1918)"],
    ["192.0.0.0/24", "IETF protocol assignments"],
    ["192.0.2.0/24", "documentation TEST-NET-1 (RFC 5737)"],
    ["192.168.0.0/16", "private (RFC 1918)"],
    ["198.18.0.0/15", "benchmarking (RFC 2544)"],
    ["198.51.100.0/24", "documentation TEST-NET-2 (RFC 5737)"],
    ["203.0.113.0/24", "documentation TEST-NET-3 (RFC 5737)"],
    ["224.0.0.0/4", "multicast"],
    ["240.0.0.0/4", "reserved"],
];

function parse(cidr: string): { base: number; bits: number } | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return undefined;
    const octets = m.slice(1, 5).map(Number);
    const bits = Number(m[5]);
    if (octets.some((o) => o > 255) || bits > 32) return undefined;
    return { base: octets.reduce((a, o) => a * 256 + o, 0), bits };
}

const size = (bits: number) => 2 ** (32 - bits);

/** What special range a CIDR overlaps, or undefined for a public range (0.0.0.0/0 is judged elsewhere). */
export function specialRange(cidr: string): string | undefined {
    const c = parse(cidr);
    if (!c || c.bits === 0) return undefined;
    for (const [range, what] of SPECIAL) {
        const s = parse(range)!;
        const overlaps = c.base < s.base + size(s.bits) && s.base < c.base + size(c.bits);
        if (overlaps) return `${range} ${what}`;
    }
    return undefined;
}
