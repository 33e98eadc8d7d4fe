//! Which IP addresses the crawler may connect to: only those on the public internet.
//!
//! The rule follows the IANA special-purpose address registries (RFC 6890 and its updates):
//! every block those registries mark as not globally reachable is refused, and an IPv6 address
//! that carries an IPv4 address inside it (IPv4-mapped, NAT64, 6to4) is judged by the address
//! it carries, so `::ffff:10.0.0.1` or `64:ff9b::7f00:1` cannot smuggle a request inside the
//! network. For IPv6 the starting point is stricter still: only global unicast (`2000::/3`,
//! RFC 4291 §2.4 and the IANA IPv6 address space) is public at all; everything else there is
//! reserved, local or multicast.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One IPv4 block: network, prefix length, and the document that reserves it.
type V4Block = (Ipv4Addr, u8, &'static str);

/// IPv4 blocks that are not globally reachable (IANA IPv4 special-purpose registry).
const REFUSED_V4: &[V4Block] = &[
    (
        Ipv4Addr::new(0, 0, 0, 0),
        8,
        "RFC 791: this network, incl. unspecified",
    ),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "RFC 1918: private"),
    (
        Ipv4Addr::new(100, 64, 0, 0),
        10,
        "RFC 6598: carrier-grade NAT",
    ),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "RFC 1122: loopback"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "RFC 3927: link local"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "RFC 1918: private"),
    (
        Ipv4Addr::new(192, 0, 0, 0),
        24,
        "RFC 6890: IETF protocol assignments",
    ),
    (
        Ipv4Addr::new(192, 0, 2, 0),
        24,
        "RFC 5737: documentation (TEST-NET-1)",
    ),
    (
        Ipv4Addr::new(192, 88, 99, 0),
        24,
        "RFC 7526: former 6to4 relay anycast",
    ),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "RFC 1918: private"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "RFC 2544: benchmarking"),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        "RFC 5737: documentation (TEST-NET-2)",
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        "RFC 5737: documentation (TEST-NET-3)",
    ),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "RFC 5771: multicast"),
    (
        Ipv4Addr::new(240, 0, 0, 0),
        4,
        "RFC 1112: reserved, incl. broadcast",
    ),
];

/// One IPv6 block inside global unicast that is still not public.
type V6Block = (Ipv6Addr, u8, &'static str);

/// Blocks of `2000::/3` that are not globally reachable (IANA IPv6 special-purpose registry).
/// 6to4 (`2002::/16`) is not here: it is judged by the IPv4 address it embeds.
const REFUSED_V6: &[V6Block] = &[
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        32,
        "RFC 4380: Teredo (tunnels to an IPv4 address hidden in the suffix)",
    ),
    (
        Ipv6Addr::new(0x2001, 2, 0, 0, 0, 0, 0, 0),
        48,
        "RFC 5180: benchmarking",
    ),
    (
        Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0),
        28,
        "RFC 4843: deprecated ORCHID",
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "RFC 3849: documentation",
    ),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        "RFC 9637: documentation",
    ),
];

/// RFC 6052 well-known NAT64 prefix `64:ff9b::/96`: the last 32 bits are an IPv4 address the
/// translator connects to.
const NAT64_WELL_KNOWN: Ipv6Addr = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0);

/// RFC 3056 6to4 prefix `2002::/16`: bits 16..48 are the IPv4 address of the tunnel end.
const SIX_TO_FOUR: Ipv6Addr = Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0);

/// RFC 4291 §2.4: global unicast is `2000::/3`; the rest of the space is reserved, unique
/// local (`fc00::/7`), link local (`fe80::/10`), multicast (`ff00::/8`) or, like the local-use
/// NAT64 prefix `64:ff9b:1::/48` (RFC 8215) and the deprecated IPv4-compatible form
/// `::a.b.c.d` (RFC 4291 §2.5.5.1), never reachable from everywhere.
const GLOBAL_UNICAST: Ipv6Addr = Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0);

/// True for addresses on the public internet, the only ones a source may reach unless it sets
/// `allow_loopback`.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    !REFUSED_V4
        .iter()
        .any(|&(net, len, _)| prefix_matches(ip.to_bits(), net.to_bits(), len, 32))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let bits = ip.to_bits();
    // IPv4-mapped (::ffff:a.b.c.d, RFC 4291 §2.5.5.2): a socket connects to the IPv4 address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    if prefix_matches(bits, NAT64_WELL_KNOWN.to_bits(), 96, 128) {
        return is_public_v4(Ipv4Addr::from_bits(low_u32(bits)));
    }
    if prefix_matches(bits, SIX_TO_FOUR.to_bits(), 16, 128) {
        return is_public_v4(Ipv4Addr::from_bits(low_u32(bits >> 80)));
    }
    prefix_matches(bits, GLOBAL_UNICAST.to_bits(), 3, 128)
        && !REFUSED_V6
            .iter()
            .any(|&(net, len, _)| prefix_matches(bits, net.to_bits(), len, 128))
}

/// The low 32 bits of `bits`.
fn low_u32(bits: u128) -> u32 {
    u32::try_from(bits & u128::from(u32::MAX)).expect("masked to 32 bits")
}

/// True when the first `len` of `width` bits of `ip` and `net` agree.
fn prefix_matches<T>(ip: T, net: T, len: u8, width: u32) -> bool
where
    T: Into<u128>,
{
    let shift = width.saturating_sub(u32::from(len));
    let (ip, net) = (ip.into(), net.into());
    // A shift of the whole width compares nothing: a /0 block matches every address.
    ip.checked_shr(shift).unwrap_or(0) == net.checked_shr(shift).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn ip(text: &str) -> IpAddr {
        text.parse().expect("literal ip")
    }

    #[test]
    fn non_public_addresses_are_refused() {
        for text in [
            // loopback, private, link local, CGNAT, unspecified, broadcast
            "127.0.0.1",
            "127.255.255.254",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            // IETF assignments, documentation, benchmarking, 6to4 relay, multicast, reserved
            "192.0.0.8",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "198.19.255.255",
            "192.88.99.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "250.1.2.3",
            // IPv6 loopback, unspecified, unique local, link local, site local, multicast
            "::1",
            "::",
            "fd00::1",
            "fc00::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "ff0e::1",
            // IPv4-compatible (deprecated) and IPv4-mapped forms of private addresses
            "::127.0.0.1",
            "::10.0.0.1",
            "::8.8.8.8",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            // NAT64, well-known prefix with a private address inside, and the local-use prefix
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::8.8.8.8",
            "64:ff9b:1:ffff::1",
            // 6to4 carrying a private or loopback IPv4 address
            "2002:7f00:1::1",
            "2002:a00:1::",
            "2002:c0a8:101::1",
            // Teredo, benchmarking, ORCHID, documentation
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:2::1",
            "2001:10::1",
            "2001:db8::1",
            "3fff::1",
            // outside global unicast: discard-only, SRv6, reserved space
            "100::1",
            "5f00::1",
            "4000::1",
            "1::",
        ] {
            assert!(!is_public(ip(text)), "{text} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for text in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "192.0.1.1",
            "2400:cb00::1",
            "2a00:1450:4001::200e",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2001:4860:4860::8888",
        ] {
            assert!(is_public(ip(text)), "{text} must pass");
        }
    }

    #[test]
    fn the_tables_are_consistent() {
        // Each network address has no bits set past its prefix, so the table reads as written.
        for &(net, len, why) in REFUSED_V4 {
            let host_bits = net.to_bits().checked_shl(u32::from(len)).unwrap_or(0);
            assert_eq!(host_bits, 0, "{net}/{len} ({why})");
        }
        for &(net, len, why) in REFUSED_V6 {
            let host_bits = net.to_bits().checked_shl(u32::from(len)).unwrap_or(0);
            assert_eq!(host_bits, 0, "{net}/{len} ({why})");
        }
    }
}
