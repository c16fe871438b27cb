/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow engine (see engine.h). Layout:
 *  - struct flow (128 bytes, hot): key, both directions' timing, LRU links, tcpWinTMT
 *    state, and what a packet adds to the record in the usual case: its count, the low
 *    16 bits of its bytes, and its MAC addresses and header shape as ids into per-engine
 *    intern tables; struct flow_cold (parallel array, 32 bytes a direction): what only the
 *    record needs (first-seen time, the bytes above the hot count, flow index, rare flags);
 *    the rare direction that sees several MACs, VLAN lists or header stacks gets a struct
 *    flow_ext from a pool that is only touched when used;
 *  - an open-addressing index (linear probing, backward-shift delete) from key to slot;
 *  - one circular LRU list of directions, node id = slot * 4 + 2 + dir (the direction's
 *    address in 32-byte units from the flow array: a link is one shift and add), with the timeout
 *    sentinels and the list head as extra node ids after the flow nodes (their links in
 *    LINK_FLOWS spare entries after the table);
 *  - a FIFO of retired slots (ended, waiting for the writer), linked through d[0].next,
 *    and a LIFO of free slots linked the same way (slots never used come after it);
 *  - a direct-mapped fragment table: IP id -> the direction of the first fragment;
 *  - a touch ring: the directions in the order they were last moved to the head, which
 *    is the order the expiry walk will visit them in; the walk reads it to prefetch the
 *    directions ahead of it instead of waiting on each next link (a hint only: entries
 *    can be stale, and the LRU list alone decides). Entries of directions whose timeout is
 *    the shortest are marked (RING_MIN): that timeout's walk reads the ring instead of the
 *    list while time moves forward (min_walk()).
 */
#include <errno.h>
#include <string.h>

#include "engine.h"
#include "tcpw_common.h"

#define NIL UINT32_MAX
#define MAX_HANDLERS 8       /* distinct timeout values: 182, BGN, EST, ABRT + reloads */
#define FRAG_SLOTS 4096      /* pending first fragments; older ones are overwritten */
/* The sentinels and the list head are LRU nodes after the directions, with their links in
 * extra entries at the end of the flow array: every node's links are found the same way. */
#define LINK_FLOWS ((MAX_HANDLERS + 2) / 2)
#define RING_MIN (1u << 31) /* touch ring: the direction had the shortest timeout (node ids
			     * stay below 1 << 29: pairs <= 1 << 26, tcpw_engine_create()) */
#define MIN_LATE 16          /* directions behind the ring walk that it still has to see */
#define WALK_AHEAD 16        /* directions the expiry walk prefetches ahead of itself */
#ifndef TCPW_DIR_PKTS_MAX    /* flow_dir.pkts's largest: then the count goes on in
			      * flow_cold.pkts_hi (tests build a small one) */
#define TCPW_DIR_PKTS_MAX UINT32_MAX
#endif

/* A pair's key: the endpoints of its first packet (direction 0) in that packet's order, laid
 * out as the first 40 bytes of struct tcpw_pkt: a packet's own first 40 bytes are its key
 * (key_dir() tells which direction it is), and no key is ever swapped into an order. */
struct flow_key {
	uint8_t src_ip[16];
	uint8_t dst_ip[16];
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
	uint8_t ip_ver;
	uint16_t vlan;
};
static_assert(sizeof(struct flow_key) == 40, "flow key has no padding");
static_assert(offsetof(struct tcpw_pkt, src_ip) == offsetof(struct flow_key, src_ip) &&
	      offsetof(struct tcpw_pkt, dst_ip) == offsetof(struct flow_key, dst_ip) &&
	      offsetof(struct tcpw_pkt, src_port) == offsetof(struct flow_key, src_port) &&
	      offsetof(struct tcpw_pkt, dst_port) == offsetof(struct flow_key, dst_port) &&
	      offsetof(struct tcpw_pkt, l4_proto) == offsetof(struct flow_key, proto) &&
	      offsetof(struct tcpw_pkt, ip_ver) == offsetof(struct flow_key, ip_ver) &&
	      offsetof(struct tcpw_pkt, vlan_id) == offsetof(struct flow_key, vlan),
	      "a packet starts with its key");
#define KEY_WORDS (sizeof(struct flow_key) / 8)

/* Word 4 of a key: the ports, then protocol, IP version and VLAN (bytes 32-39). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define W4_SRC_PORT 0
#define W4_DST_PORT 16
#define W4_IP_VER 40
#define V4_ZERO_HALF 32 /* word 0 of an IPv4 key: the address, then 4 zero bytes */
#else
#define W4_SRC_PORT 48
#define W4_DST_PORT 32
#define W4_IP_VER 16
#define V4_ZERO_HALF 0
#endif
#define W4_PORTS ((UINT64_C(0xffff) << W4_SRC_PORT) | (UINT64_C(0xffff) << W4_DST_PORT))

enum { TERM_ADDR, TERM_REST, TERM_ADDR_LOW, TERM_PORT, HASH_TERMS };
static const uint64_t hash_mul[HASH_TERMS] = { /* odd 64-bit mixing constants */
	UINT64_C(0xff51afd7ed558ccd), UINT64_C(0xc4ceb9fe1a85ec53), UINT64_C(0x94d049bb133111eb),
	UINT64_C(0xbf58476d1ce4e5b9),
};

/* flow_dir.bits */
enum {
	DIR_PRESENT = 1 << 0,      /* this direction has seen a packet */
	DIR_INVERTED = 1 << 1,     /* carries the B bit (L3FLOWINVERT) */
	DIR_EXT = 1 << 2,          /* its lists are in a flow_ext (flow_cold.ext) */
};

/* One direction's hot state: 32 bytes, with all a packet updates in the usual case. */
struct flow_dir {
	int64_t last_us;           /* lastSeen, microseconds since the epoch (time) */
	uint32_t prev;             /* LRU: older node */
	uint32_t next;             /* LRU: newer node; retired FIFO link in d[0] */
	uint32_t pkts;
	struct tcpw_twin twin;     /* 6 bytes */
	uint16_t shape;            /* header shape id of its packets (ID_NONE: none yet) */
	uint16_t bytes;            /* bytes since the last spill into flow_cold.bytes */
	uint8_t tmo;               /* current timeout: its index in tcpw_engine.tmo_s */
	uint8_t bits;              /* DIR_* */
};
static_assert(sizeof(struct flow_dir) == 32, "flow_dir is 32 bytes");

/* A flow pair in two cache lines (the table is line-aligned): the lookup line (key 40 +
 * MAC ids 8 + hash 4 + state 4 + touch-ring positions 8) and the direction line (2 x 32),
 * which is all a neighbour's unlink touches and all the walk's decisions read (its
 * prefetch hint reads touch[] too). A packet with the MACs and header shape of its
 * direction's first one touches no other line of the pair. */
struct flow {
	struct flow_key key;
	uint16_t mac[2][2];        /* [dir]: source and destination MAC ids (ID_NONE: none) */
	uint32_t hash;
	uint8_t in_use;            /* 1: in the index; 2: retired */
	uint8_t spare;
	uint8_t reason;            /* enum tcpw_end_reason once retired */
	uint8_t behind;            /* a bit per direction: touched while time was behind */
	uint32_t touch[2];         /* each direction's last touch number (see touch ring) */
	struct flow_dir d[2];
};
static_assert(sizeof(struct flow) == 128, "a flow pair is two cache lines");
static_assert(offsetof(struct flow, d) == 64, "the directions share the second line");

/* flowStat bits a direction can gather, kept in a byte (fs_bits maps them back); the IP
 * ones are the pair's IP version's, which every packet of the pair has (cf_ip()) */
enum {
	CF_IPV4 = 1 << 0, CF_IPV6 = 1 << 1, CF_IPV4_PKT = 1 << 2, CF_IPV6_PKT = 1 << 3,
	CF_HFULL = 1 << 4, CF_TIMEJUMP = 1 << 5,
};

#define ID_NONE UINT16_MAX
#define MAC_IDS 65535        /* distinct MAC addresses interned; later ones go to flow_ext */
#define SHAPE_IDS 4095       /* distinct (header stack, VLAN tags) shapes interned */
#define HINT_UNSEEN (ID_NONE - 1) /* no shape id, and not ID_NONE either */
static_assert(MAC_IDS == ID_NONE, "macs[ID_NONE] is the entry past the last id");

/* What a packet shows of its layers, as the first packet of a direction saw it. */
struct shape {
	struct tcpw_hdrs hdrs;
	uint8_t nvlan;                     /* tags seen, as in struct tcpw_pkt */
	uint16_t vlans[TCPW_VLAN_MAX];
};

/* The record's per-direction lists in full, for the directions the compact form cannot
 * hold (a second MAC, header stack or VLAN, or intern tables full). */
struct flow_ext {
	uint8_t nsrc_mac, ndst_mac, nvlan, nhdrs;
	uint8_t src_mac[TCPW_REC_MACS][6];
	uint8_t dst_mac[TCPW_REC_MACS][6];
	uint16_t vlans[TCPW_VLAN_MAX];
	struct tcpw_hdrs hdrs[TCPW_REC_HDRS];
	uint32_t next_free;
};

/* Record-only data per direction, touched at its first packet, at its end, and by the
 * rare packet that changes its lists or its byte count's upper part. While it has
 * no flow_ext the lists are: MACs flow.mac[dir] (source, destination) when not ID_NONE,
 * and the header stack and distinct VLANs of flow_dir.shape (none: no packet yet). */
struct flow_cold {
	int64_t first_us;
	uint64_t bytes;                    /* with flow_dir.bytes: the direction's bytes */
	uint64_t flow_ind;                 /* direction 0's: the pair's */
	uint32_t ext;                      /* while DIR_EXT */
	uint32_t flags : 8;                /* CF_HFULL, CF_TIMEJUMP */
	uint32_t pkts_hi : 24;             /* the direction's packets: pkts_hi x
					    * TCPW_DIR_PKTS_MAX + flow_dir.pkts */
};
static_assert(sizeof(struct flow_cold) == 32, "record data is 32 bytes a direction");

/* Per-engine intern tables: open addressing, ids + 1 in the buckets (0: empty). */
struct interns {
	uint64_t *macs;                    /* [id]: the address in the low 48 bits; [ID_NONE]:
					    * all ones, no address */
	uint16_t *mac_idx;                 /* 2 * (MAC_IDS + 1) buckets */
	uint32_t nmacs;
	struct shape *shapes;
	uint16_t *shape_idx;               /* 2 * (SHAPE_IDS + 1) buckets */
	uint32_t nshapes;
	uint16_t hinted[TCPW_SHAPE_HINTS]; /* [a packet's shape_hint]: the id of that shape,
					    * HINT_UNSEEN before its first packet */
};

/* A first fragment, found again by its addresses and identification: not by protocol,
 * which an IPv6 fragment after the first shows as its Fragment header's next header (AH,
 * Destination Options...) where the first shows the transport's. */
struct frag_entry {
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t id;
	uint8_t ip_ver;
	uint8_t dir;
	uint8_t used;
	uint32_t slot;
	uint64_t flow_ind;
};

struct handler {
	float timeout_s;
	uint32_t node;             /* sentinel node id */
	int64_t younger_us;        /* margin_us(timeout_s, -1) */
	int64_t older_us;          /* margin_us(timeout_s, +1) */
	int64_t due_us;            /* this walk can find nothing before this (while time only
				    * moves forward and its first direction stays: see
				    * first_moved()); INT64_MIN: unknown */
};

struct tcpw_engine {
	struct tcpw_engine_params p;
	uint64_t hash_key[HASH_TERMS]; /* from p.hash_seed */
	uint32_t npairs;
	uint32_t index_mask;       /* index has 2 * pairs buckets: load factor <= 0.5 */
	uint32_t *index;           /* bucket -> tag | slot + 1, 0 if empty (bucket_of()) */
	struct flow *flows;
	struct flow_cold *cold;    /* [slot * 2 + dir] */
	struct flow_ext *ext;      /* 2 * pairs entries, used in order, then from the free list */
	uint32_t ext_used, ext_free;
	struct interns in;
	uint32_t free_head;        /* freed slots, linked through d[0].next */
	uint32_t fresh;            /* slots [fresh, npairs) were never used */
	uint32_t nfree;            /* free and never-used slots */
	uint32_t npending;
	uint32_t retired_head, retired_tail;
	/* LRU: nodes [0, 2 * npairs) are directions, then sentinels, then the list head. */
	uint32_t head;
	int64_t sweep_due_us;      /* no handler can find anything before this (while time only
				    * moves forward); INT64_MIN: unknown */
	struct handler handlers[MAX_HANDLERS];
	unsigned int nhandlers;
	struct frag_entry *frags;
	uint32_t *ring;            /* touch ring: [touch number & ring_mask] -> node | RING_MIN */
	uint32_t ring_mask;
	uint32_t touches;          /* touch number of the next move to the head */
	float tmo_s[MAX_HANDLERS]; /* each timeout value met, in the order met (flow_dir.tmo) */
	unsigned int ntmo;
	uint8_t tmo_default;       /* p.flow_timeout_s's index */
	uint8_t tmo_abrt;          /* p.tmt.abrt_s's */
	uint8_t tmo_min;           /* the shortest timeout's (the last handler's) */
	bool min_ring;             /* its walk reads the ring (min_walk()); its sentinel waits */
	uint32_t min_next;         /* ... from this touch number on */
	uint32_t last_mark;        /* the latest touch number whose ring entry was marked */
	uint32_t min_late[MIN_LATE][2]; /* ... and first these (node, touch), in touch order */
	unsigned int nlate;
	int64_t ring_after_us;     /* a direction took the shortest timeout after its ring
				    * entry was overwritten: no ring walk before this time */
	uint64_t next_flow_ind;
	int64_t now_us;            /* now, in microseconds */
	int64_t max_now_us;        /* latest time seen */
	bool monotonic;            /* now >= every earlier now: handler shortcuts hold */
	uint32_t behind;           /* directions touched while time was behind: the list is in
				    * time order when none is left */
	bool emergency;            /* above the high-water mark, not yet back below low water */
	bool overloaded;           /* overload() ran for a new pair that found no slot: the
				    * packet comes again (a caller retries on -ENOSPC) */
	uint32_t low_water;
	int64_t emergency_us;
	struct tcpw_engine_stats st; /* but first_ts and last_ts: */
	int64_t first_us, last_us;   /* first and last packet time */
};

/* The first 8 bytes at @p, 8 readable. */
static inline uint64_t
load64(const void *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

/* 16 bytes as a vector (GCC's generic vectors: SSE2 on x86-64, NEON on arm64). */
typedef uint64_t v2u64 __attribute__((vector_size(16)));

static inline v2u64
load128(const void *p)
{
	v2u64 v;

	memcpy(&v, p, 16);
	return v;
}

/* The 6 bytes at @p in a word, as memcpy() into a zeroed word leaves them, but built in
 * registers from a 4- and a 2-byte load: through a word on the stack, the 8-byte load
 * after the two stores could not be forwarded from them and would wait for the cache. */
static inline uint64_t
load48(const void *p)
{
	uint32_t a;
	uint16_t b;

	memcpy(&a, p, 4);
	memcpy(&b, (const uint8_t *)p + 4, 2);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return a | (uint64_t)b << 32;
#else
	return (uint64_t)a << 32 | (uint64_t)b << 16;
#endif
}

/* The 6 bytes at @p (8 readable), as load48() gives them, in one load: for data written
 * well before (a burst's parsed packets), where the load needs no store forwarding. */
static inline uint64_t
load48_of8(const void *p)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return load64(p) & UINT64_C(0x0000ffffffffffff);
#else
	return load64(p) & UINT64_C(0xffffffffffff0000);
#endif
}

/* ---- time ---------------------------------------------------------------------------- */

/* Times are microseconds since the epoch (tcpw_ts_us()), split back only where
 * Tranalyzer's own arithmetic on seconds and microseconds is reproduced and for the
 * outputs. */
static inline struct tcpw_ts
us_ts(int64_t us)
{
	return tcpw_us_ts((uint64_t)us);
}

/* Age as Tranalyzer computes it (main.c, cycleLRUList): a 32-bit float holding the second
 * difference, plus the microsecond difference divided by a double, rounded back to float;
 * compared with >= against float timeouts (T2-SEMANTICS §0, §2.4). The double division
 * matters: a 1000 us gap across a second boundary gives exactly 0.001f and expires TMT_ABRT. */
static inline float
age_s(int64_t now_us, int64_t then_us)
{
	struct tcpw_ts now = us_ts(now_us), then = us_ts(then_us);
	float t = (float)((int64_t)now.sec - (int64_t)then.sec);

	t = (float)((double)t + (double)((int32_t)now.usec - (int32_t)then.usec) / 1000000.0);
	return t;
}

/* Seconds from @b_us to @a_us, as Tranalyzer computes intervals (seconds, then
 * microseconds / 10^6, in double). */
static inline double
diff_s(int64_t a_us, int64_t b_us)
{
	struct tcpw_ts a = us_ts(a_us), b = us_ts(b_us);

	return (double)((int64_t)a.sec - (int64_t)b.sec) +
	       (double)((int32_t)a.usec - (int32_t)b.usec) / 1e6;
}

/* ---- directions ---------------------------------------------------------------------- */

/* Direction @dir of pair @slot's record data (the pair's two are adjacent: a line). */
static inline struct flow_cold *
cold_of(const struct tcpw_engine *e, size_t slot, unsigned int dir)
{
	return &e->cold[slot * 2 + dir];
}

static inline bool
dir_present(const struct flow_dir *d)
{
	return d->bits & DIR_PRESENT;
}

static inline float
dir_timeout(const struct tcpw_engine *e, const struct flow_dir *d)
{
	return e->tmo_s[d->tmo];
}

/* The index of timeout @t, one of the registered ones (handler_add()). */
static uint8_t
tmo_index(const struct tcpw_engine *e, float t)
{
	unsigned int i = 0;

	while (i + 1 < e->ntmo && e->tmo_s[i] != t)
		i++;
	return (uint8_t)i;
}

/* ---- LRU list ---------------------------------------------------------------------- */

static inline uint32_t
node_of(uint32_t slot, unsigned int dir)
{
	return slot * 4 + 2 + dir;
}

static inline uint32_t
node_slot(uint32_t n)
{
	return n >> 2;
}

static inline struct flow_dir *
node_dir(const struct tcpw_engine *e, uint32_t n)
{
	return (struct flow_dir *)e->flows + n; /* the flow array in 32-byte units */
}

static inline bool
is_flow_node(const struct tcpw_engine *e, uint32_t n)
{
	return n < 4 * e->npairs;
}

static inline uint32_t *
node_prev(struct tcpw_engine *e, uint32_t n)
{
	return &node_dir(e, n)->prev;
}

static inline uint32_t *
node_next(struct tcpw_engine *e, uint32_t n)
{
	return &node_dir(e, n)->next;
}

/*
 * Direction @n, the first direction after the sentinel (or run of sentinels) ending at @p,
 * leaves its place: each of those walks' due time was its lastSeen plus the margin, and the
 * direction now first may be older (it was touched while time ran backwards), so they are
 * unknown until the walks look again. While a walk's first direction stays, nothing it
 * could find is due before that time: the walk stops at that direction until it ages.
 */
static void
first_moved(struct tcpw_engine *e, uint32_t p)
{
	for (; !is_flow_node(e, p) && p != e->head; p = *node_prev(e, p)) {
		for (unsigned int i = 0; i < e->nhandlers; i++)
			if (e->handlers[i].node == p)
				e->handlers[i].due_us = INT64_MIN;
		e->sweep_due_us = INT64_MIN;
	}
}

static inline void
lru_unlink(struct tcpw_engine *e, uint32_t n)
{
	uint32_t p = *node_prev(e, n), x = *node_next(e, n);

	if (unlikely(!is_flow_node(e, p)) && is_flow_node(e, n))
		first_moved(e, p);
	*node_next(e, p) = x;
	*node_prev(e, x) = p;
}

/* Insert @n just older than @at. */
static inline void
lru_insert_before(struct tcpw_engine *e, uint32_t n, uint32_t at)
{
	uint32_t p = *node_prev(e, at);

	*node_prev(e, n) = p;
	*node_next(e, n) = at;
	*node_next(e, p) = n;
	*node_prev(e, at) = n;
}

/* Most recently active: just older than the head; noted in the touch ring, marked if its
 * timeout is the shortest (a packet's state step may change it after: min_note()). */
static inline void
lru_push_newest(struct tcpw_engine *e, uint32_t n)
{
	bool min = node_dir(e, n)->tmo == e->tmo_min;

	lru_insert_before(e, n, e->head);
	e->flows[node_slot(n)].touch[n & 1] = e->touches;
	e->last_mark = min ? e->touches : e->last_mark;
	e->ring[e->touches++ & e->ring_mask] = n | (min ? RING_MIN : 0);
}

/* Direction @dir of @f was just touched. Touched while time is behind (now before the latest
 * time seen), it may sit newer in the list than directions last seen after it: the list is
 * out of time order until it is touched again at the latest time, or ends. */
static void
order_mark(struct tcpw_engine *e, struct flow *f, unsigned int dir)
{
	uint8_t bit = (uint8_t)(1u << dir);

	if (!e->monotonic && !(f->behind & bit)) {
		f->behind |= bit;
		e->behind++;
	} else if (e->monotonic && (f->behind & bit)) {
		f->behind &= (uint8_t)~bit;
		e->behind--;
	}
}

static inline void
order_note(struct tcpw_engine *e, struct flow *f, unsigned int dir)
{
	if (unlikely(!e->monotonic | (f->behind != 0))) /* one branch on the usual path */
		order_mark(e, f, dir);
}

/* Always inlined: GCC 12 counts a function whose only effect is __builtin_prefetch as pure,
 * and drops a call to it that it did not inline first (the walk's prefetch vanished). */
static TCPW_ALWAYS_INLINE void
prefetch_node(const struct tcpw_engine *e, uint32_t n)
{
	__builtin_prefetch(&e->flows[node_slot(n)]);
	__builtin_prefetch(e->flows[node_slot(n)].d);
}

/* Touch number @t was made and its ring entry is not overwritten yet. */
static inline bool
ring_holds(const struct tcpw_engine *e, uint32_t t)
{
	return e->touches - t - 1 <= e->ring_mask;
}

/* The walk is at direction @n: prefetch the direction moved to the head WALK_AHEAD touches
 * after it, if the ring still holds that touch (else the walk just waits on its links). */
static TCPW_ALWAYS_INLINE void
walk_prefetch(const struct tcpw_engine *e, uint32_t n)
{
	uint32_t t = e->flows[node_slot(n)].touch[n & 1] + WALK_AHEAD;

	if (ring_holds(e, t))
		prefetch_node(e, e->ring[t & e->ring_mask] & ~RING_MIN);
}

/* ---- index --------------------------------------------------------------------------- */

/* A packet's key: its first 40 bytes, as the 8-byte words the fast parser wrote (loads of
 * the stores' own size, forwarded from them). */
static TCPW_ALWAYS_INLINE void
pkt_key(const struct tcpw_pkt *pkt, uint64_t w[KEY_WORDS])
{
#pragma GCC unroll 8
	for (unsigned int i = 0; i < KEY_WORDS; i++)
		w[i] = load64((const uint8_t *)pkt + 8 * i);
}

/* One term of the hash: @x with a keyed word, times an odd constant, the full 128-bit
 * product folded (high ^ low), so every bit of @x reaches every bit of the term (the low
 * 64 bits alone would let its top byte reach only the top byte: 256 values whatever the
 * key). */
static inline uint64_t
hash_term(const struct tcpw_engine *e, uint64_t x, unsigned int t)
{
	unsigned __int128 m = (unsigned __int128)(x ^ e->hash_key[t]) * hash_mul[t];

	return (uint64_t)m ^ (uint64_t)(m >> 64);
}

/*
 * The hash of key words @w, the same for both directions of a pair: a sum of independent
 * keyed terms (not a chain of dependent multiplies), for the endpoints and one for the rest
 * (protocol, IP version, VLAN). An IPv4 endpoint is one term: the address and the port in
 * its zero half. An IPv6 endpoint is three (each address half, the port), not tied to each
 * other: the pair with its ports exchanged, or with the addresses' low halves exchanged,
 * hashes the same whatever the key, so up to 4 IPv6 pairs share a hash. A port folded
 * into an address word instead would let one host choose its address and port to put any
 * number of endpoints on one term.
 */
static TCPW_ALWAYS_INLINE uint32_t
key_hash(const struct tcpw_engine *e, const uint64_t w[KEY_WORDS])
{
	uint64_t sp = w[4] >> W4_SRC_PORT & 0xffff, dp = w[4] >> W4_DST_PORT & 0xffff;
	uint64_t h = hash_term(e, w[4] & ~W4_PORTS, TERM_REST);

	if ((w[4] >> W4_IP_VER & 0xff) == 4) {
		h += hash_term(e, w[0] | sp << V4_ZERO_HALF, TERM_ADDR) +
		     hash_term(e, w[2] | dp << V4_ZERO_HALF, TERM_ADDR);
	} else {
		h += hash_term(e, w[0], TERM_ADDR) + hash_term(e, w[1], TERM_ADDR_LOW) +
		     hash_term(e, sp, TERM_PORT) + hash_term(e, w[2], TERM_ADDR) +
		     hash_term(e, w[3], TERM_ADDR_LOW) + hash_term(e, dp, TERM_PORT);
	}
	/* MurmurHash3's fmix64 brings the sum down to the low bits the index takes */
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return (uint32_t)h;
}

/* Which direction of the pair of key @k a packet whose first 40 bytes are @pk is: 0 (the
 * endpoints in the key's order), 1 (swapped), or -1 (another pair's packet). Both compares
 * are made, with no branch between them: a packet's direction is a coin toss the predictor
 * cannot learn. The addresses are compared as 16-byte vectors, straight and crossed. */
static TCPW_ALWAYS_INLINE int
key_dir(const struct flow_key *k, const void *pk)
{
	v2u64 ks = load128(k->src_ip), kd = load128(k->dst_ip);
	v2u64 ps = load128(pk), pd = load128((const uint8_t *)pk + 16);
	v2u64 same_v = (ks ^ ps) | (kd ^ pd), swap_v = (ks ^ pd) | (kd ^ ps);
	uint64_t k4 = load64(&k->src_port), w4 = load64((const uint8_t *)pk + 32), ports;
	uint64_t same, swapped;

	ports = (w4 >> W4_SRC_PORT & 0xffff) << W4_DST_PORT |
		(w4 >> W4_DST_PORT & 0xffff) << W4_SRC_PORT;
	same = same_v[0] | same_v[1] | (k4 ^ w4);
	swapped = swap_v[0] | swap_v[1] | (k4 ^ ((w4 & ~W4_PORTS) | ports));
	if (same != 0 && swapped != 0)
		return -1;
	return same != 0;
}

/* A bucket is 0 (empty) or the slot + 1 in the bits of index_mask (2 * pairs - 1 holds
 * pairs) with the hash's bits above them as a tag: the home bucket is the hash's low bits,
 * and a probe reads a flow entry only when the tag matches (a mismatch would be a miss of
 * its own at a million flows, and one the burst did not prefetch). */
static inline uint32_t
bucket_of(const struct tcpw_engine *e, uint32_t slot, uint32_t h)
{
	return (h & ~e->index_mask) | (slot + 1);
}

/* The slot non-empty bucket @v holds. */
static inline uint32_t
bucket_held(const struct tcpw_engine *e, uint32_t v)
{
	return (v & e->index_mask) - 1;
}

/* The slot of non-empty bucket @v if its tag matches @h, else NIL. */
static inline uint32_t
bucket_slot(const struct tcpw_engine *e, uint32_t v, uint32_t h)
{
	return ((v ^ h) & ~e->index_mask) == 0 ? bucket_held(e, v) : NIL;
}

/* The slot of the pair of the packet whose first 40 bytes are @pk (hash @h) and its
 * direction there, or NIL. */
static TCPW_ALWAYS_INLINE uint32_t
index_find(const struct tcpw_engine *e, const void *pk, uint32_t h, unsigned int *dir)
{
	for (uint32_t b = h & e->index_mask;; b = (b + 1) & e->index_mask) {
		uint32_t v = e->index[b], s;
		int d;

		if (v == 0)
			return NIL;
		s = bucket_slot(e, v, h);
		if (s != NIL && e->flows[s].hash == h && (d = key_dir(&e->flows[s].key, pk)) >= 0) {
			*dir = (unsigned int)d;
			return s;
		}
	}
}

static void
index_add(struct tcpw_engine *e, uint32_t slot)
{
	uint32_t b = e->flows[slot].hash & e->index_mask;

	while (e->index[b] != 0)
		b = (b + 1) & e->index_mask;
	e->index[b] = bucket_of(e, slot, e->flows[slot].hash);
}

double
tcpw_engine_index_displacement(const struct tcpw_engine *e)
{
	uint64_t sum = 0, n = 0;

	for (uint32_t b = 0; b <= e->index_mask; b++) {
		uint32_t v = e->index[b];

		if (v != 0) {
			sum += (b - e->flows[bucket_held(e, v)].hash) & e->index_mask;
			n++;
		}
	}
	return n > 0 ? (double)sum / (double)n : 0;
}

/* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
static void
index_del(struct tcpw_engine *e, uint32_t slot)
{
	uint32_t b = e->flows[slot].hash & e->index_mask;

	while ((e->index[b] & e->index_mask) != slot + 1)
		b = (b + 1) & e->index_mask;
	for (uint32_t j = (b + 1) & e->index_mask; e->index[j] != 0;
	     j = (j + 1) & e->index_mask) {
		uint32_t home = e->flows[bucket_held(e, e->index[j])].hash & e->index_mask;

		/* move j back to b unless its home lies cyclically in (b, j] */
		if (((j - home) & e->index_mask) >= ((j - b) & e->index_mask)) {
			e->index[b] = e->index[j];
			b = j;
		}
	}
	e->index[b] = 0;
}

/* ---- retiring ------------------------------------------------------------------------ */

static void
retire(struct tcpw_engine *e, uint32_t slot, enum tcpw_end_reason reason)
{
	struct flow *f = &e->flows[slot];

	for (unsigned int d = 0; d < 2; d++) {
		if (dir_present(&f->d[d])) {
			lru_unlink(e, node_of(slot, d));
			e->st.flows_in_mem--;
		}
	}
	index_del(e, slot);
	e->behind -= (uint32_t)__builtin_popcount(f->behind);
	f->behind = 0;
	f->in_use = 2;
	f->reason = (uint8_t)reason;
	f->d[0].next = NIL;
	if (e->retired_tail == NIL)
		e->retired_head = slot;
	else
		e->flows[e->retired_tail].d[0].next = slot;
	e->retired_tail = slot;
	e->npending++;
}

/* Float keeps 24 bits: the float age of a gap can be off by gap * 2^-24 (and the
 * subtraction by a little more); 2^-20 of the timeout plus 2 us is a safe margin. A gap
 * below margin_us(t, -1) is surely younger than t, one from margin_us(t, +1) on surely not.
 * A timeout no gap can reach (gaps stay below 2^32 s) gives INT64_MAX / 2, which a time
 * can still be added to. */
static inline int64_t
margin_us(float t, int side)
{
	double us = (double)t * (1e6 * (1.0 + side / (double)(1 << 20)));

	return us < 9e18 ? (int64_t)us + 2 * side : INT64_MAX / 2;
}

/* age_s(now, @then_us) >= t, with @younger and @older t's margins: the float age (and its
 * division) only in the narrow band between them. */
static inline bool
aged_at(int64_t now_us, int64_t then_us, float t, int64_t younger, int64_t older)
{
	int64_t gap = now_us - then_us;

	if (gap < younger)
		return false;
	return gap >= older || age_s(now_us, then_us) >= t;
}

static inline bool
aged_m(const struct tcpw_engine *e, int64_t then_us, float t, int64_t younger, int64_t older)
{
	return aged_at(e->now_us, then_us, t, younger, older);
}

/* The same for any timeout: the upper margin only when the lower one does not settle it. */
static inline bool
aged(const struct tcpw_engine *e, int64_t then_us, float t)
{
	return e->now_us - then_us >= margin_us(t, -1) &&
	       aged_m(e, then_us, t, INT64_MIN, margin_us(t, 1));
}

static inline bool
dir_expired(const struct tcpw_engine *e, const struct flow_dir *d)
{
	return aged(e, d->last_us, dir_timeout(e, d));
}

/* A walk's due time when its first direction was last seen at @last_us: when that ages
 * (after now: the walk just ran at now, and at the same time it would find the same). */
static inline int64_t
due_after(const struct tcpw_engine *e, const struct handler *h, int64_t last_us)
{
	int64_t due = last_us + h->younger_us;

	return due > e->now_us ? due : e->now_us + 1;
}

/* One handler's pass (Tranalyzer's cycleLRUList): inspect directions that became
 * @h->timeout_s idle since its last pass, retire the pairs whose directions all expired,
 * then move the sentinel past everything inspected. */
static void
sweep_handler(struct tcpw_engine *e, struct handler *h)
{
	uint32_t p;

	/* Nothing after the sentinel can have aged enough: skip the walk (INT64_MIN, unknown,
	 * is never ahead of now). */
	if (e->now_us < h->due_us)
		return;
	p = *node_next(e, h->node);

	while (p != e->head) {
		struct flow *f;
		uint32_t nxt, opp;

		if (!is_flow_node(e, p)) {
			p = *node_next(e, p);
			continue;
		}
		f = &e->flows[node_slot(p)];
		if (!aged_m(e, f->d[p & 1].last_us, h->timeout_s, h->younger_us, h->older_us))
			break;
		walk_prefetch(e, p);
		nxt = *node_next(e, p);
		if (dir_expired(e, &f->d[p & 1])) {
			opp = p ^ 1;
			if (!dir_present(&f->d[opp & 1]) || dir_expired(e, &f->d[opp & 1])) {
				if (nxt == opp)
					nxt = *node_next(e, opp);
				retire(e, node_slot(p), TCPW_END_TIMEOUT);
			}
		}
		p = nxt;
	}
	/* the walk resumes at p's successor once p is old enough: have it in cache by then */
	if (is_flow_node(e, p))
		prefetch_node(e, *node_next(e, p));
	if (p != *node_next(e, h->node)) { /* most packets inspect nothing: no relinking */
		lru_unlink(e, h->node);
		lru_insert_before(e, h->node, p);
	}
	/* The walk stopped at p, younger than the timeout: it does nothing before p is old
	 * enough, for as long as p stays its first direction (first_moved() says when not).
	 * With nothing after the sentinel, a direction put there later is last seen at or
	 * after now, while time only moves forward. */
	if (!e->monotonic) {
		h->due_us = INT64_MIN;
	} else {
		h->due_us = due_after(e, h, p == e->head ? e->now_us : node_dir(e, p)->last_us);
	}
}

/* The ring walk at direction @n, last moved at touch @t: false if that is no longer its
 * last move, or its pair ended. */
static inline bool
min_current(const struct tcpw_engine *e, uint32_t n, uint32_t t)
{
	const struct flow *f = &e->flows[node_slot(n)];

	return f->in_use == 1 && dir_present(&f->d[n & 1]) && f->touch[n & 1] == t;
}

/* The ring walk inspects current direction @n as the list walk would: false if it is too
 * young, and the walk stops there. */
static bool
min_inspect(struct tcpw_engine *e, struct handler *h, uint32_t n)
{
	const struct flow *f = &e->flows[node_slot(n)];
	const struct flow_dir *d = &f->d[n & 1], *o = &f->d[(n & 1) ^ 1];

	if (!aged_m(e, d->last_us, h->timeout_s, h->younger_us, h->older_us)) {
		h->due_us = due_after(e, h, d->last_us);
		return false;
	}
	if (dir_expired(e, d) && (!dir_present(o) || dir_expired(e, o)))
		retire(e, node_slot(n), TCPW_END_TIMEOUT);
	return true;
}

/*
 * The shortest timeout's walk without the list. Every handler passes each direction once
 * after each of its packets, when it has been idle for the handler's timeout: the shortest
 * (ABRT, 1 ms) so passes nearly every packet's direction, a random line and ~60
 * instructions each (one a packet in bench_pipeline), and ends almost none. While the list
 * is in time order (every direction in it was touched at the latest time: e->behind is 0)
 * and time moves forward, it can only end directions of its own timeout: one with a
 * longer timeout is expired only when a longer handler passes it in the same sweep (it
 * became that idle since the last one), and that handler walks first. So this walk visits
 * only the marked entries of the touch ring, which is the list's order: a current entry
 * (the direction's last touch) older than the timeout is inspected as the list walk would,
 * the first younger one stops the walk, stale and unmarked entries are skipped. The
 * sentinel stays where it was; min_list() moves it to where the list walk would have it,
 * and the list walks again for a while: when time goes back (until the directions touched
 * meanwhile are touched again at the latest time, or end), when a direction takes the
 * shortest timeout after this walk may have passed its entry, when the ring would
 * overwrite the entry to look at next, or when a shorter handler comes.
 */
static void
min_walk(struct tcpw_engine *e, struct handler *h)
{
	uint32_t t, end;

	if (e->now_us < h->due_us)
		return;
	/* first the directions noted behind the walk (min_note()): older than every one
	 * ahead of it, as the list has them */
	while (e->nlate > 0) {
		if (min_current(e, e->min_late[0][0], e->min_late[0][1]) &&
		    !min_inspect(e, h, e->min_late[0][0]))
			return;
		memmove(e->min_late[0], e->min_late[1], --e->nlate * sizeof(e->min_late[0]));
	}
	h->due_us = due_after(e, h, e->now_us); /* nothing ahead: a direction moved now */
	/* the entries after the last marked one are skipped all at once (most are not marked:
	 * reading each cost ~8 instructions a packet) */
	end = e->last_mark - e->min_next < e->touches - e->min_next ? e->last_mark + 1 :
	      e->min_next;
	for (t = e->min_next; t != end; t++) {
		uint32_t n = e->ring[t & e->ring_mask];

		if ((n & RING_MIN) && min_current(e, n & ~RING_MIN, t) &&
		    !min_inspect(e, h, n & ~RING_MIN)) {
			e->min_next = t;
			return;
		}
	}
	e->min_next = e->touches;
}

/* From the ring to the list: move the shortest timeout's sentinel past every direction its
 * list walk would have passed by @at_us, the time of the last sweep (it inspected those
 * directions, or they could end nothing there; a sweep the due time skipped would have
 * passed nothing). All those directions at once: as much work as the list walks would have
 * done, on one packet. */
static void
min_list(struct tcpw_engine *e, int64_t at_us)
{
	struct handler *h = &e->handlers[e->nhandlers - 1];
	uint32_t p = *node_next(e, h->node);

	e->min_ring = false;
	e->nlate = 0; /* each still younger than the timeout at @at_us: ahead of the stop */
	while (p != e->head) {
		if (is_flow_node(e, p) &&
		    !aged_at(at_us, node_dir(e, p)->last_us, h->timeout_s, h->younger_us,
			     h->older_us))
			break;
		p = *node_next(e, p);
	}
	if (p != *node_next(e, h->node)) {
		lru_unlink(e, h->node);
		lru_insert_before(e, h->node, p);
	}
	h->due_us = INT64_MIN;
	e->sweep_due_us = INT64_MIN;
}

/* From the list to the ring, after a list walk of the shortest timeout at now: the ring
 * walk starts at the first direction after the sentinel, if the ring still holds it with
 * room for a burst (the rest of one may follow before ring_room() looks again, and an idle
 * step, tcpw_engine_advance(), makes no move). */
static void
min_ring(struct tcpw_engine *e, const struct handler *h)
{
	uint32_t p = *node_next(e, h->node), t = e->touches;

	while (p != e->head && !is_flow_node(e, p))
		p = *node_next(e, p);
	if (p != e->head)
		t = e->flows[node_slot(p)].touch[p & 1];
	if (e->touches - t > e->ring_mask + 1 - TCPW_ENGINE_BURST)
		return;
	e->min_next = t;
	e->min_ring = true;
}

/* Before @n packets: each moves one direction to the head at most. If they could overwrite
 * the entry the ring walk looks at next, back to the list (as of the last sweep, which
 * every packet so far has had). */
static inline void
ring_room(struct tcpw_engine *e, unsigned int n)
{
	if (unlikely(e->min_ring) && e->touches + n - e->min_next > e->ring_mask + 1)
		min_list(e, e->now_us);
}

/* Direction @n, last moved at touch @t and last seen at @last_us, behind the ring walk and
 * younger than its timeout: the walk sees it first (in touch order), or false if there is
 * no room. */
static bool
min_late_add(struct tcpw_engine *e, struct handler *h, uint32_t n, uint32_t t, int64_t last_us)
{
	unsigned int i;

	if (e->nlate == MIN_LATE)
		return false;
	for (i = e->nlate; i > 0 && (int32_t)(t - e->min_late[i - 1][1]) < 0; i--)
		memcpy(e->min_late[i], e->min_late[i - 1], sizeof(e->min_late[i]));
	e->min_late[i][0] = n;
	e->min_late[i][1] = t;
	e->nlate++;
	if (h->due_us > due_after(e, h, last_us))
		h->due_us = due_after(e, h, last_us);
	if (e->sweep_due_us > h->due_us)
		e->sweep_due_us = h->due_us;
	return true;
}

/* Direction @dir of @slot may have just taken the shortest timeout without a move to the
 * head (the reverse of a zero-window abort, or the packet's own direction after its move
 * was marked): mark its ring entry. If the ring walk is past that entry: nothing to do if
 * the direction is already older than the timeout (the list walk has passed it too), else
 * the walk must still see it (min_late), or, with no room left, go back to the list. */
static void
min_note(struct tcpw_engine *e, uint32_t slot, unsigned int dir)
{
	const struct flow_dir *d = &e->flows[slot].d[dir];
	struct handler *h = &e->handlers[e->nhandlers - 1];
	uint32_t t = e->flows[slot].touch[dir];
	bool in_ring = ring_holds(e, t);

	if (!dir_present(d) || d->tmo != e->tmo_min)
		return;
	if (in_ring) {
		e->ring[t & e->ring_mask] |= RING_MIN;
		/* a last_mark no longer in the ring is in no walk's window: replaced (2^31 moves
		 * without a mark would make the signed compare below call t older) */
		if (!ring_holds(e, e->last_mark) || (int32_t)(t - e->last_mark) > 0)
			e->last_mark = t;
	}
	if (e->min_ring && (!in_ring || (int32_t)(t - e->min_next) < 0)) {
		if (aged_m(e, d->last_us, h->timeout_s, h->younger_us, h->older_us) ||
		    min_late_add(e, h, node_of(slot, dir), t, d->last_us))
			return;
		min_list(e, e->now_us);
	}
	if (!in_ring && e->ring_after_us < e->now_us + h->older_us)
		e->ring_after_us = e->now_us + h->older_us;
}

static void
sweep(struct tcpw_engine *e)
{
	int64_t due = INT64_MAX;

	for (unsigned int i = 0; i + 1 < e->nhandlers; i++)
		sweep_handler(e, &e->handlers[i]);
	if (e->min_ring) {
		min_walk(e, &e->handlers[e->nhandlers - 1]);
	} else {
		sweep_handler(e, &e->handlers[e->nhandlers - 1]);
		if (e->behind == 0 && e->monotonic && e->now_us >= e->ring_after_us &&
		    !e->p.walk_list_only)
			min_ring(e, &e->handlers[e->nhandlers - 1]);
	}
	/* after all the walks: one's retirements can move another's first direction
	 * (first_moved()); INT64_MIN, unknown, is below every time */
	for (unsigned int i = 0; i < e->nhandlers; i++)
		if (e->handlers[i].due_us < due)
			due = e->handlers[i].due_us;
	e->sweep_due_us = due;
}

static TCPW_ALWAYS_INLINE void
advance(struct tcpw_engine *e, int64_t now_us)
{
	e->now_us = now_us;
	if (e->now_us < e->max_now_us) {
		/* time went back: the handlers' shortcuts no longer hold, not until time is past
		 * everything seen before (directions touched meanwhile are last seen before
		 * directions ahead of them in the list: first_moved()) */
		if (e->min_ring)
			min_list(e, e->max_now_us);
		if (e->monotonic)
			for (unsigned int i = 0; i < e->nhandlers; i++)
				e->handlers[i].due_us = INT64_MIN;
		e->monotonic = false;
		e->sweep_due_us = INT64_MIN;
	} else {
		e->monotonic = true;
		e->max_now_us = e->now_us;
		if (e->now_us < e->sweep_due_us) /* no handler has anything to look at */
			return;
	}
	sweep(e);
}

void
tcpw_engine_advance(struct tcpw_engine *e, struct tcpw_ts ts)
{
	advance(e, (int64_t)tcpw_ts_us(ts));
}

/* Add a handler for @t unless one exists; handlers stay sorted by timeout, descending. */
static int
handler_add(struct tcpw_engine *e, float t)
{
	unsigned int i;

	for (i = 0; i < e->nhandlers; i++)
		if (e->handlers[i].timeout_s == t)
			return 0;
	if (e->nhandlers == MAX_HANDLERS)
		return -ENOSPC;
	e->tmo_s[e->ntmo++] = t; /* as many timeouts as handlers: one each */
	if (e->nhandlers == 0 || t < e->handlers[e->nhandlers - 1].timeout_s) {
		if (e->min_ring) /* a shorter one comes: the last one walks its list */
			min_list(e, e->now_us);
		e->tmo_min = (uint8_t)(e->ntmo - 1);
	}
	for (i = e->nhandlers; i > 0 && e->handlers[i - 1].timeout_s < t; i--)
		e->handlers[i] = e->handlers[i - 1];
	e->handlers[i].timeout_s = t;
	e->handlers[i].younger_us = margin_us(t, -1);
	e->handlers[i].older_us = margin_us(t, 1);
	e->handlers[i].node = node_of(e->npairs + e->nhandlers / 2, e->nhandlers & 1);
	e->handlers[i].due_us = INT64_MIN;
	e->sweep_due_us = INT64_MIN;
	e->nhandlers++;
	/* a new sentinel starts at the tail: it will inspect every flow once */
	lru_insert_before(e, e->handlers[i].node, *node_next(e, e->head));
	return 0;
}

int
tcpw_engine_set_timeouts(struct tcpw_engine *e, const struct tcpw_tmt *tmt, float flow_timeout_s)
{
	const float t[] = { flow_timeout_s, tmt->bgn_s, tmt->est_s, tmt->abrt_s };
	unsigned int needed = 0;

	for (unsigned int i = 0; i < TCPW_ARRAY_SIZE(t); i++) {
		bool known = false;

		if (!(t[i] > 0))
			return -EINVAL;
		for (unsigned int j = 0; j < e->nhandlers; j++)
			known |= e->handlers[j].timeout_s == t[i];
		for (unsigned int j = 0; j < i; j++)
			known |= t[j] == t[i];
		needed += !known;
	}
	/* the zero-window threshold and count are no timeouts: they apply either way */
	e->p.tmt.thres = tmt->thres;
	e->p.tmt.flwprg = tmt->flwprg;
	if (e->nhandlers + needed > MAX_HANDLERS)
		return -ENOSPC;
	for (unsigned int i = 0; i < TCPW_ARRAY_SIZE(t); i++)
		handler_add(e, t[i]);
	e->p.tmt = *tmt;
	e->p.flow_timeout_s = flow_timeout_s;
	e->tmo_default = tmo_index(e, flow_timeout_s);
	e->tmo_abrt = tmo_index(e, tmt->abrt_s);
	return 0;
}

/* ---- flows --------------------------------------------------------------------------- */

/* Tranalyzer's direction heuristic for the first direction of a pair (§2.1). */
static bool
first_is_inverted(const struct tcpw_pkt *pkt)
{
	if (pkt->src_port < 1024 && pkt->src_port < pkt->dst_port)
		return true;
	if (pkt->l4_proto == 6 && pkt->has_tcp_win &&
	    (pkt->tcp_flags & (TCPW_TH_SYN | TCPW_TH_ACK)) == (TCPW_TH_SYN | TCPW_TH_ACK))
		return true;
	return (pkt->src_port & 0xfff6) == 8080;
}

#define EMERGENCY_LOOK 16   /* directions the emergency sweep inspects per new pair */

/*
 * Overload, before Tranalyzer's autopilot: above the high-water mark, each new pair first
 * ends up to two pairs idle for the emergency timeout, looking at the least recently active
 * directions only (at most EMERGENCY_LOOK of them, so a packet's work stays bounded).
 */
static void
overload(struct tcpw_engine *e)
{
	uint32_t live = e->npairs - e->nfree - e->npending, ended = 0, looked = 0;

	if (!e->emergency) {
		if (e->p.high_water == 0 || live < e->p.high_water)
			return;
		e->emergency = true;
		e->st.emergency_on++;
	} else if (live < e->low_water) {
		e->emergency = false;
		return;
	}
	for (uint32_t n = *node_next(e, e->head); n != e->head && ended < 2 &&
	     looked < EMERGENCY_LOOK;) {
		struct flow *f = &e->flows[node_slot(n)];
		uint32_t nxt = *node_next(e, n);

		if (!is_flow_node(e, n)) {
			n = nxt;
			continue;
		}
		looked++;
		if (e->now_us - f->d[n & 1].last_us < e->emergency_us)
			break; /* the rest is more recent */
		if (!dir_present(&f->d[(n & 1) ^ 1]) ||
		    e->now_us - f->d[(n & 1) ^ 1].last_us >= e->emergency_us) {
			if (nxt == (n ^ 1))
				nxt = *node_next(e, nxt);
			retire(e, node_slot(n), TCPW_END_EMERGENCY);
			e->st.emergency_ended++;
			ended++;
		}
		n = nxt;
	}
}

int
tcpw_engine_set_overload(struct tcpw_engine *e, uint32_t high_water, float emergency_timeout_s)
{
	uint32_t gap;

	if (!(emergency_timeout_s > 0))
		return -EINVAL;
	e->p.high_water = high_water > e->npairs ? 0 : high_water;
	e->p.emergency_timeout_s = emergency_timeout_s;
	e->emergency_us = (int64_t)((double)emergency_timeout_s * 1e6);
	/* a tenth of the table below the mark, or half the mark when that is less: above 0,
	 * which no count of pairs is below (with a mark of 10% or less, emergency stayed on) */
	gap = e->npairs / 10 < e->p.high_water / 2 ? e->npairs / 10 : e->p.high_water / 2;
	e->low_water = e->p.high_water - gap;
	if (e->p.high_water == 0)
		e->emergency = false;
	return 0;
}

/* Evict the least recently active pair to make room (Tranalyzer's autopilot). */
static void
autopilot(struct tcpw_engine *e)
{
	for (uint32_t n = *node_next(e, e->head); n != e->head; n = *node_next(e, n)) {
		if (is_flow_node(e, n)) {
			/* the oldest direction only */
			cold_of(e, node_slot(n), n & 1)->flags |= CF_HFULL;
			retire(e, node_slot(n), TCPW_END_TABLE_FULL);
			e->st.autopilot++;
			return;
		}
	}
}

static uint32_t
pair_create(struct tcpw_engine *e, const void *pk, uint32_t h)
{
	uint32_t slot;
	struct flow *f;

	/* Retired slots free up once drained: end pairs for a new one only once, however
	 * often its packet is offered again, and evict only when no slot is on its way back,
	 * so retrying a packet never ends more than two pairs idle for the emergency timeout,
	 * nor evicts more than one. */
	if (!e->overloaded)
		overload(e);
	if (e->nfree == 0 && e->npending == 0)
		autopilot(e);
	e->overloaded = e->nfree == 0;
	if (e->nfree == 0)
		return NIL;
	if (e->free_head != NIL) {
		slot = e->free_head;
		e->free_head = e->flows[slot].d[0].next;
	} else {
		slot = e->fresh++;
	}
	e->nfree--;
	f = &e->flows[slot];
	memset(f, 0, sizeof(*f));
	memset(cold_of(e, slot, 0), 0, 2 * sizeof(e->cold[0]));
	memset(f->mac, 0xff, sizeof(f->mac)); /* ID_NONE */
	f->d[0].shape = f->d[1].shape = ID_NONE;
	memcpy(&f->key, pk, sizeof(f->key)); /* a packet starts with its key */
	f->hash = h;
	f->in_use = 1;
	cold_of(e, slot, 0)->flow_ind = e->next_flow_ind;
	e->next_flow_ind += e->p.flow_ind_step;
	index_add(e, slot);
	e->st.a_created++;
	return slot;
}

static void
dir_create(struct tcpw_engine *e, struct flow *f, unsigned int dir, const struct tcpw_pkt *pkt)
{
	struct flow_dir *d = &f->d[dir];
	uint32_t slot = (uint32_t)(f - e->flows);

	if (dir_present(&f->d[dir ^ 1])) {
		d->bits = DIR_PRESENT | (~f->d[dir ^ 1].bits & DIR_INVERTED);
		e->st.b_created++;
	} else {
		d->bits = DIR_PRESENT | (first_is_inverted(pkt) ? DIR_INVERTED : 0);
	}
	d->tmo = e->tmo_default;
	d->last_us = e->now_us;
	cold_of(e, slot, dir)->first_us = e->now_us;
	lru_push_newest(e, node_of(slot, dir));
	order_note(e, f, dir);
	if (++e->st.flows_in_mem > e->st.max_flows_in_mem)
		e->st.max_flows_in_mem = e->st.flows_in_mem;
}

/* ---- record data ---------------------------------------------------------------------- */

static uint64_t
fs_bits(uint8_t flags)
{
	static const uint64_t bit[] = {
		TCPW_FS_IPV4, TCPW_FS_IPV6, TCPW_FS_IPV4_PKT, TCPW_FS_IPV6_PKT, TCPW_FS_HFULL,
		TCPW_FS_TIMEJUMP,
	};
	uint64_t fs = 0;

	for (unsigned int i = 0; i < TCPW_ARRAY_SIZE(bit); i++)
		if (flags & (1u << i))
			fs |= bit[i];
	return fs;
}

static inline uint32_t
mix32(uint64_t w)
{
	w ^= w >> 33;
	w *= UINT64_C(0xff51afd7ed558ccd);
	w ^= w >> 33;
	return (uint32_t)w;
}

/* The id of @mac, added if new; ID_NONE when the table is full. */
static uint16_t
mac_intern(struct interns *in, const uint8_t *mac)
{
	const uint32_t mask = 2 * (MAC_IDS + 1) - 1;
	uint64_t w = load48(mac);

	for (uint32_t b = mix32(w) & mask;; b = (b + 1) & mask) {
		uint16_t id = in->mac_idx[b];

		if (id == 0) {
			if (in->nmacs == MAC_IDS)
				return ID_NONE;
			in->macs[in->nmacs] = w;
			in->mac_idx[b] = (uint16_t)++in->nmacs;
			return (uint16_t)(in->nmacs - 1);
		}
		if (in->macs[id - 1] == w)
			return (uint16_t)(id - 1);
	}
}

static inline bool
shape_of_pkt(const struct shape *sh, const struct tcpw_pkt *pkt)
{
	/* parse zeroes the packet first: bytes past n and nvlan are zero on both sides; word
	 * compares without branches (memcmp of 17 and 6 bytes branches on every word) */
	static_assert(sizeof(sh->hdrs) == 17 && sizeof(sh->vlans) == 6, "shape compare sizes");
	return ((load64(sh->hdrs.code) ^ load64(pkt->hdrs.code)) |
		(load64(sh->hdrs.code + 8) ^ load64(pkt->hdrs.code + 8)) |
		(uint64_t)(sh->hdrs.depth ^ pkt->hdrs.depth) | (uint64_t)(sh->nvlan ^ pkt->nvlan) |
		(load48(sh->vlans) ^ load48(pkt->vlans))) == 0;
}

static uint16_t
shape_intern(struct interns *in, const struct tcpw_pkt *pkt)
{
	const uint32_t mask = 2 * (SHAPE_IDS + 1) - 1;
	uint64_t w[3] = { 0, 0, 0 };
	uint32_t h;

	memcpy(w, &pkt->hdrs, sizeof(pkt->hdrs));
	memcpy(&w[2], pkt->vlans, sizeof(pkt->vlans));
	h = mix32(w[0] ^ (w[1] * 31) ^ (w[2] * 961) ^ pkt->nvlan);
	for (uint32_t b = h & mask;; b = (b + 1) & mask) {
		uint16_t id = in->shape_idx[b];
		struct shape *sh;

		if (id != 0 && shape_of_pkt(&in->shapes[id - 1], pkt))
			return (uint16_t)(id - 1);
		if (id != 0)
			continue;
		if (in->nshapes == SHAPE_IDS)
			return ID_NONE;
		sh = &in->shapes[in->nshapes];
		sh->hdrs = pkt->hdrs;
		sh->nvlan = pkt->nvlan;
		memcpy(sh->vlans, pkt->vlans, sizeof(sh->vlans));
		in->shape_idx[b] = (uint16_t)++in->nshapes;
		return (uint16_t)(in->nshapes - 1);
	}
}

static void
add_mac(uint8_t macs[][6], uint8_t *n, const uint8_t *mac)
{
	for (unsigned int i = 0; i < *n; i++)
		if (load48(macs[i]) == load48(mac))
			return;
	if (*n < TCPW_REC_MACS)
		memcpy(macs[(*n)++], mac, 6);
}

static void
add_vlans(struct flow_ext *x, const uint16_t *vlans, unsigned int n)
{
	for (unsigned int i = 0; i < n && i < TCPW_VLAN_MAX; i++) {
		unsigned int j;

		for (j = 0; j < x->nvlan && x->vlans[j] != vlans[i]; j++)
			;
		if (j == x->nvlan && x->nvlan < TCPW_VLAN_MAX)
			x->vlans[x->nvlan++] = vlans[i];
	}
}

static void
add_hdrs(struct flow_ext *x, const struct tcpw_hdrs *h)
{
	for (unsigned int i = 0; i < x->nhdrs && i < TCPW_REC_HDRS; i++)
		if (memcmp(&x->hdrs[i], h, sizeof(*h)) == 0)
			return;
	if (x->nhdrs < TCPW_REC_HDRS)
		x->hdrs[x->nhdrs] = *h;
	if (x->nhdrs < UINT8_MAX)
		x->nhdrs++;
}

/* The lists of a direction in full, from either form. */
static void
detail_get(const struct tcpw_engine *e, const struct flow *f, unsigned int dir,
	   struct flow_ext *x)
{
	const struct flow_dir *d = &f->d[dir];

	if (d->bits & DIR_EXT) {
		*x = e->ext[cold_of(e, (size_t)(f - e->flows), dir)->ext];
		return;
	}
	memset(x, 0, sizeof(*x));
	for (unsigned int i = 0; i < 2; i++) {
		if (f->mac[dir][i] != ID_NONE)
			memcpy(i == 0 ? x->src_mac[0] : x->dst_mac[0], &e->in.macs[f->mac[dir][i]],
			       6);
	}
	x->nsrc_mac = f->mac[dir][0] != ID_NONE;
	x->ndst_mac = f->mac[dir][1] != ID_NONE;
	if (d->shape != ID_NONE) {
		const struct shape *sh = &e->in.shapes[d->shape];

		add_vlans(x, sh->vlans, sh->nvlan);
		add_hdrs(x, &sh->hdrs);
	}
}

/* Move a direction's lists to a flow_ext of its own (never fails: 2 per pair exist). */
static struct flow_ext *
ext_attach(struct tcpw_engine *e, struct flow *f, unsigned int dir)
{
	uint32_t id;

	if (e->ext_free != NIL) {
		id = e->ext_free;
		e->ext_free = e->ext[id].next_free;
	} else {
		id = e->ext_used++;
	}
	detail_get(e, f, dir, &e->ext[id]);
	cold_of(e, (size_t)(f - e->flows), dir)->ext = id;
	f->d[dir].bits |= DIR_EXT;
	return &e->ext[id];
}

static void
ext_release(struct tcpw_engine *e, uint32_t slot, unsigned int dir)
{
	struct flow_dir *d = &e->flows[slot].d[dir];

	if (d->bits & DIR_EXT) {
		uint32_t id = cold_of(e, slot, dir)->ext;

		e->ext[id].next_free = e->ext_free;
		e->ext_free = id;
		d->bits &= (uint8_t)~DIR_EXT;
	}
}

/* True when the packet adds nothing to a compact direction's lists (the common case:
 * the same two MACs and the same headers as its first packet). */
static inline bool
compact_same(const struct tcpw_engine *e, const struct flow *f, unsigned int dir,
	     const struct tcpw_pkt *pkt)
{
	uint16_t shape = f->d[dir].shape;

	if (pkt->shape_hint != TCPW_SHAPE_OTHER ? shape != e->in.hinted[pkt->shape_hint] :
	    shape == ID_NONE || !shape_of_pkt(&e->in.shapes[shape], pkt))
		return false;
	static_assert(offsetof(struct tcpw_pkt, src_mac) + 8 <= sizeof(struct tcpw_pkt) &&
		      offsetof(struct tcpw_pkt, dst_mac) < offsetof(struct tcpw_pkt, src_mac),
		      "8 bytes readable at each MAC");
	return !pkt->has_mac || (e->in.macs[f->mac[dir][0]] == load48_of8(pkt->src_mac) &&
				 e->in.macs[f->mac[dir][1]] == load48_of8(pkt->dst_mac));
}

/* The first packet of a direction in compact form; false if an intern table is full. */
static bool
compact_first(struct tcpw_engine *e, struct flow *f, unsigned int dir, const struct tcpw_pkt *pkt)
{
	uint16_t sh = shape_intern(&e->in, pkt), src = ID_NONE, dst = ID_NONE;

	if (sh == ID_NONE)
		return false;
	if (pkt->shape_hint != TCPW_SHAPE_OTHER)
		e->in.hinted[pkt->shape_hint] = sh;
	if (pkt->has_mac) {
		src = mac_intern(&e->in, pkt->src_mac);
		dst = mac_intern(&e->in, pkt->dst_mac);
		if (src == ID_NONE || dst == ID_NONE)
			return false;
	}
	f->d[dir].shape = sh;
	f->mac[dir][0] = src;
	f->mac[dir][1] = dst;
	return true;
}

/* The EtherType of IP version @v: every flow packet's (the parser's last EtherType is
 * always its flow's IP header's; the parse fuzzer checks it). */
static inline uint16_t
ip_eth_type(uint8_t v)
{
	return v == 4 ? 0x0800 : 0x86dd;
}

/* The flowStat bits of the pair's IP version @v: every packet of the pair has it. */
static inline uint8_t
cf_ip(uint8_t v)
{
	return v == 4 ? CF_IPV4 | CF_IPV4_PKT : CF_IPV6 | CF_IPV6_PKT;
}

/* Merge what the record shows of this packet into its direction: in the direction's hot
 * line, unless its bytes spill or its lists grow. */
static TCPW_ALWAYS_INLINE void
dir_record(struct tcpw_engine *e, uint32_t slot, unsigned int dir, const struct tcpw_pkt *pkt,
	   uint32_t caplen)
{
	struct flow *f = &e->flows[slot];
	struct flow_dir *d = &f->d[dir];
	uint64_t bytes = (uint64_t)d->bytes + caplen;
	struct flow_ext *x;

	if (unlikely(bytes > UINT16_MAX)) {
		cold_of(e, slot, dir)->bytes += bytes;
		bytes = 0;
	}
	d->bytes = (uint16_t)bytes;
	if (!(d->bits & DIR_EXT) && compact_same(e, f, dir, pkt))
		return; /* the shape of an earlier packet: its depth is counted already */
	if (e->st.min_hdrs == 0 || pkt->hdrs.depth < e->st.min_hdrs)
		e->st.min_hdrs = pkt->hdrs.depth;
	if (pkt->hdrs.depth > e->st.max_hdrs)
		e->st.max_hdrs = pkt->hdrs.depth;
	if (!(d->bits & DIR_EXT)) {
		if (d->shape == ID_NONE && compact_first(e, f, dir, pkt))
			return;
		x = ext_attach(e, f, dir);
	} else {
		x = &e->ext[cold_of(e, slot, dir)->ext];
	}
	if (pkt->has_mac) {
		add_mac(x->src_mac, &x->nsrc_mac, pkt->src_mac);
		add_mac(x->dst_mac, &x->ndst_mac, pkt->dst_mac);
	}
	add_vlans(x, pkt->vlans, pkt->nvlan);
	add_hdrs(x, &pkt->hdrs);
}

static uint32_t
frag_bucket(const struct tcpw_pkt *pkt)
{
	uint32_t h = pkt->frag_id * 0x9e3779b1u;

	for (unsigned int i = 0; i < 16; i += 4) {
		uint32_t a, b;

		memcpy(&a, pkt->src_ip + i, 4);
		memcpy(&b, pkt->dst_ip + i, 4);
		h = (h ^ a ^ (b * 31)) * 0x85ebca6bu;
		h ^= h >> 15;
	}
	return h & (FRAG_SLOTS - 1);
}

static bool
frag_match(const struct frag_entry *fe, const struct tcpw_pkt *pkt)
{
	return fe->used && fe->id == pkt->frag_id && fe->ip_ver == pkt->ip_ver &&
	       memcmp(fe->src, pkt->src_ip, 16) == 0 && memcmp(fe->dst, pkt->dst_ip, 16) == 0;
}

static void
frag_remember(struct tcpw_engine *e, const struct tcpw_pkt *pkt, uint32_t slot, unsigned int dir)
{
	struct frag_entry *fe = &e->frags[frag_bucket(pkt)];

	memcpy(fe->src, pkt->src_ip, 16);
	memcpy(fe->dst, pkt->dst_ip, 16);
	fe->id = pkt->frag_id;
	fe->ip_ver = pkt->ip_ver;
	fe->dir = (uint8_t)dir;
	fe->slot = slot;
	fe->flow_ind = cold_of(e, slot, 0)->flow_ind;
	fe->used = 1;
}

/* Count a packet (of time now) into an existing direction: lastSeen, LRU, counters. */
static TCPW_ALWAYS_INLINE void
dir_touch(struct tcpw_engine *e, uint32_t slot, unsigned int dir, const struct tcpw_pkt *pkt,
	  uint32_t caplen)
{
	struct flow_dir *d = &e->flows[slot].d[dir];

	if (d->pkts > 0) {
		/* Tranalyzer 0.9.3 (basicFlow) flags a negative IAT computed with the seconds
		 * subtracted as uint32_t: only a step back within the same second shows (a
		 * step back across seconds wraps to a huge IAT); the golden data agree */
		if (unlikely(e->now_us < d->last_us) &&
		    e->now_us / 1000000 == d->last_us / 1000000)
			cold_of(e, slot, dir)->flags |= CF_TIMEJUMP;
		/* already the newest: nothing to move, unless the ring walk has passed its
		 * entry (it would never look at it again: a new one, marked afresh) */
		if (d->next != e->head ||
		    (e->min_ring && (int32_t)(e->flows[slot].touch[dir] - e->min_next) < 0)) {
			lru_unlink(e, node_of(slot, dir));
			lru_push_newest(e, node_of(slot, dir));
		}
		order_note(e, &e->flows[slot], dir);
	}
	d->last_us = e->now_us;
	/* 2^32 packets is 7 minutes of a 10 Mpps tunnel: the count goes on in the record
	 * data, and pkts stays above 0 (a direction's first packet has none before it) */
	if (unlikely(d->pkts == TCPW_DIR_PKTS_MAX)) {
		cold_of(e, slot, dir)->pkts_hi++;
		d->pkts = 0;
	}
	d->pkts++;
	dir_record(e, slot, dir, pkt, caplen);
	e->st.sum_hdrs += pkt->hdrs.depth;
}

static void
emit_packet_line(struct tcpw_engine *e, uint32_t slot, unsigned int dir,
		 const struct tcpw_pkt *pkt, const uint8_t *frame, double iat_s, bool examined)
{
	const struct flow *f = &e->flows[slot];
	const struct flow_cold *c = cold_of(e, slot, dir);
	struct tcpw_pkt_line line = {
		.pkt_no = e->st.pkts + 1, /* counted after the callback */
		.flow_ind = cold_of(e, slot, 0)->flow_ind,
		.flow_stat = fs_bits(c->flags | cf_ip(f->key.ip_ver)) |
			     (f->d[dir].bits & DIR_INVERTED ? TCPW_FS_INVERT : 0),
		.ts = us_ts(e->now_us),
		.iat_s = iat_s,
		.duration_s = e->now_us < c->first_us ? 0 : diff_s(e->now_us, c->first_us),
		.pkt = pkt,
		.frame = frame,
		.twin = examined ? &f->d[dir].twin : NULL,
		.timeout_s = dir_timeout(e, &f->d[dir]),
	};

	e->p.pkt_cb(e->p.pkt_ctx, &line);
}

/* A packet parsed, keyed and hashed once (tcpw_engine_packets() does it for a whole burst
 * ahead of processing, so it can prefetch). */
struct pkt_ctx {
	struct tcpw_pkt pkt;
	uint32_t h;
	uint32_t hint;           /* the slot of the first bucket whose tag matches, or NIL: the
				  * burst prefetched it; once stage_links() found the packet's
				  * pair there, that pair while the slot is in use (a slot is
				  * freed, and so taken again, only by tcpw_engine_drain(), never
				  * within the burst) */
	uint8_t dir;             /* the packet's direction in the hint's pair */
	uint8_t v;               /* enum tcpw_verdict */
};

static TCPW_ALWAYS_INLINE void
prepare(const struct tcpw_engine *e, struct pkt_ctx *c, const uint8_t *frame, uint32_t caplen)
{
	c->hint = NIL;
	c->v = (uint8_t)tcpw_parse(frame, caplen, e->p.linktype, &c->pkt);
	if (c->v == TCPW_PKT_FLOW || c->v == TCPW_PKT_FRAG) {
		uint64_t w[KEY_WORDS];

		pkt_key(&c->pkt, w);
		c->h = key_hash(e, w);
	}
}

static TCPW_ALWAYS_INLINE int
packet_flow(struct tcpw_engine *e, const struct pkt_ctx *c, const uint8_t *frame,
	    uint32_t caplen)
{
	const struct tcpw_pkt *pkt = &c->pkt;
	uint32_t slot = c->hint;
	unsigned int dir;
	struct flow *f;
	struct flow_dir *d;
	double iat_s = 0;
	bool examined;

	/* the hint's pair is the packet's while it is in the index: keys are unique there */
	if (slot != NIL && e->flows[slot].in_use == 1) {
		dir = c->dir;
	} else {
		slot = index_find(e, pkt, c->h, &dir);
		if (slot == NIL) {
			slot = pair_create(e, pkt, c->h);
			if (slot == NIL)
				return -ENOSPC;
			dir = 0;
		}
	}
	f = &e->flows[slot];
	d = &f->d[dir];
	if (!dir_present(d))
		dir_create(e, f, dir, pkt);
	else if (e->p.pkt_cb != NULL)
		iat_s = diff_s(e->now_us, d->last_us);
	dir_touch(e, slot, dir, pkt, caplen);

	examined = pkt->has_tcp_win; /* TCP only */
	if (examined) {
		struct flow_dir *r = &f->d[dir ^ 1];
		struct tcpw_tcp_step s = tcpw_tcp_state_next(&d->twin,
			dir_present(r) ? &r->twin : NULL, pkt->tcp_flags, pkt->tcp_win, &e->p.tmt);

		/* unchanged, the mark of its last ring entry is right (min_note() or the
		 * push made it): BGN and ABRT set their timeout again at every packet */
		if (s.set_timeout && dir_timeout(e, d) != s.timeout_s) {
			d->tmo = tmo_index(e, s.timeout_s);
			min_note(e, slot, dir);
		}
		if (s.set_rev_timeout) {
			r->tmo = e->tmo_abrt;
			min_note(e, slot, dir ^ 1);
		}
		e->st.tcp_pkts++;
		e->st.tcp_bytes += caplen;
	}
	if (pkt->is_frag && pkt->more_frags)
		frag_remember(e, pkt, slot, dir);
	if (e->p.pkt_cb != NULL)
		emit_packet_line(e, slot, dir, pkt, frame, iat_s, examined);
	return 0;
}

/* A non-first fragment joins the direction of its first fragment. Without one (lost, or
 * not yet arrived) it makes a port-0 flow of its own, as Tranalyzer does. */
static int
packet_frag(struct tcpw_engine *e, const struct pkt_ctx *c, const uint8_t *frame,
	    uint32_t caplen)
{
	const struct tcpw_pkt *pkt = &c->pkt;
	struct frag_entry *fe = &e->frags[frag_bucket(pkt)];
	double iat_s;

	if (!frag_match(fe, pkt) || e->flows[fe->slot].in_use != 1 ||
	    cold_of(e, fe->slot, 0)->flow_ind != fe->flow_ind) {
		if (packet_flow(e, c, frame, caplen) != 0)
			return -ENOSPC;
		e->st.frag_orphan++;
		return 0;
	}
	iat_s = diff_s(e->now_us, e->flows[fe->slot].d[fe->dir].last_us);
	dir_touch(e, fe->slot, fe->dir, pkt, caplen);
	if (e->p.pkt_cb != NULL)
		emit_packet_line(e, fe->slot, fe->dir, pkt, frame, iat_s, false);
	if (!pkt->more_frags)
		fe->used = 0;
	return 0;
}

/* Everything after the sweep: the flow, or the counter that takes the packet. */
static TCPW_ALWAYS_INLINE int
account(struct tcpw_engine *e, const struct pkt_ctx *c, const uint8_t *frame, uint32_t caplen)
{
	int rc = 0;

	if (c->v == TCPW_PKT_FLOW)
		rc = packet_flow(e, c, frame, caplen);
	else if (c->v == TCPW_PKT_FRAG)
		rc = packet_frag(e, c, frame, caplen);
	if (rc != 0) {
		e->st.no_room++;
		return -ENOSPC;
	}
	if (e->st.pkts == 0)
		e->first_us = e->now_us;
	e->last_us = e->now_us;
	e->st.pkts++;
	e->st.bytes += caplen;
	e->st.verdict[c->v]++;
	if (c->pkt.ip_ver == 4)
		e->st.ipv4_pkts++;
	else if (c->pkt.ip_ver == 6)
		e->st.ipv6_pkts++;
	return 0;
}

int
tcpw_engine_packet(struct tcpw_engine *e, const uint8_t *frame, uint32_t caplen,
		   struct tcpw_ts ts)
{
	struct pkt_ctx c;

	ring_room(e, 1);
	prepare(e, &c, frame, caplen);
	advance(e, (int64_t)tcpw_ts_us(ts));
	return account(e, &c, frame, caplen);
}

/* Packets between a burst stage and the stage that uses what it prefetched. */
#define LAG_FLOW 8           /* parsing: bucket prefetched -> read, flow prefetched */
#define LAG_LINKS 8          /* accounting: flow's links read, neighbours prefetched (4
			      * and 6 were slower at 1M flows: bench_pipeline, twelfth round) */

/* Probes stage_flow() makes for a tag that matches (the bucket's line is in cache, the
 * next one most often too). */
#define HINT_PROBES 4

/* The packet's bucket is in cache: prefetch the flow entry of the first slot whose tag
 * matches (a hint: a sweep may end the pair, and the lookup is made again). The record
 * data is not: the usual packet adds to it in the entry (dir_record()). */
static TCPW_ALWAYS_INLINE void
stage_flow(const struct tcpw_engine *e, struct pkt_ctx *c)
{
	if (c->v == TCPW_PKT_FLOW) {
		uint32_t b = c->h & e->index_mask;

		for (unsigned int i = 0; i < HINT_PROBES && e->index[b] != 0; i++) {
			c->hint = bucket_slot(e, e->index[b], c->h);
			if (c->hint != NIL)
				break;
			b = (b + 1) & e->index_mask;
		}
	}
	if (c->hint != NIL) {
		__builtin_prefetch(&e->flows[c->hint]);
		__builtin_prefetch(e->flows[c->hint].d, 1);
	}
}

/* The hint's flow entry is in cache: if it is the packet's pair, note the packet's direction
 * there, and prefetch the LRU neighbours the direction will be unlinked from, or for its
 * first packet its record data; else no hint. */
static TCPW_ALWAYS_INLINE void
stage_links(const struct tcpw_engine *e, struct pkt_ctx *c)
{
	const struct flow *f;
	const struct flow_dir *d;
	int dir;

	if (c->hint == NIL)
		return;
	f = &e->flows[c->hint];
	/* the hint's pair may have ended since (its links are then list links of another kind) */
	if (f->in_use != 1 || (dir = key_dir(&f->key, &c->pkt)) < 0) {
		c->hint = NIL;
		return;
	}
	c->dir = (uint8_t)dir;
	d = &f->d[dir];
	if (!dir_present(d)) { /* its first packet: dir_create() writes its record data */
		__builtin_prefetch(cold_of(e, c->hint, (unsigned int)dir), 1);
		return;
	}
	__builtin_prefetch(node_dir(e, d->prev), 1);
	__builtin_prefetch(node_dir(e, d->next), 1);
}

/*
 * A burst, in stages so the memory each packet needs is on its way before it is used:
 * prefetch every frame; parse and hash each packet and prefetch its index bucket, while
 * reading the bucket of the packet LAG_FLOW earlier and prefetching its flow entry; then
 * sweep and account each packet exactly as tcpw_engine_packet() would,
 * while reading the entry of the packet LAG_LINKS later and prefetching its LRU neighbours.
 */
unsigned int
tcpw_engine_packets(struct tcpw_engine *e, const uint8_t *const *frames, const uint32_t *lens,
		    const uint64_t *times_us, unsigned int n)
{
	struct pkt_ctx c[TCPW_ENGINE_BURST];
	unsigned int i;

	if (n > TCPW_ENGINE_BURST)
		n = TCPW_ENGINE_BURST;
	ring_room(e, n);
	for (i = 0; i < n; i++)
		__builtin_prefetch(frames[i]);
	for (i = 0; i < n; i++) {
		prepare(e, &c[i], frames[i], lens[i]);
		if (c[i].v == TCPW_PKT_FLOW)
			__builtin_prefetch(&e->index[c[i].h & e->index_mask]);
		if (i >= LAG_FLOW)
			stage_flow(e, &c[i - LAG_FLOW]);
	}
	for (i = n > LAG_FLOW ? n - LAG_FLOW : 0; i < n; i++)
		stage_flow(e, &c[i]);
	for (i = 0; i < n && i < LAG_LINKS; i++)
		stage_links(e, &c[i]);
	for (i = 0; i < n; i++) {
		if (i + LAG_LINKS < n)
			stage_links(e, &c[i + LAG_LINKS]);
		advance(e, (int64_t)times_us[i]);
		if (account(e, &c[i], frames[i], lens[i]) != 0)
			break;
	}
	return i;
}

void
tcpw_engine_flush(struct tcpw_engine *e)
{
	uint32_t n = *node_next(e, e->head);

	while (n != e->head) {
		uint32_t nxt = *node_next(e, n);

		if (is_flow_node(e, n)) {
			if (nxt == (n ^ 1))
				nxt = *node_next(e, nxt);
			retire(e, node_slot(n), TCPW_END_FLUSH);
		}
		n = nxt;
	}
}

/* ---- records ------------------------------------------------------------------------- */

static void
fill_dir(const struct tcpw_engine *e, uint32_t slot, unsigned int dir, struct tcpw_record_dir *o)
{
	const struct flow *f = &e->flows[slot];
	const struct flow_dir *d = &f->d[dir];
	const struct flow_cold *c = cold_of(e, slot, dir);
	const struct flow_key *k = &f->key;
	struct flow_ext x;

	o->flow_stat = fs_bits(c->flags | cf_ip(k->ip_ver)) |
		       (d->bits & DIR_INVERTED ? TCPW_FS_INVERT : 0);
	o->first = us_ts(c->first_us);
	o->last = us_ts(d->last_us);
	o->pkts = (uint64_t)c->pkts_hi * TCPW_DIR_PKTS_MAX + d->pkts;
	o->bytes = c->bytes + d->bytes;
	memcpy(o->src_ip, dir ? k->dst_ip : k->src_ip, 16);
	memcpy(o->dst_ip, dir ? k->src_ip : k->dst_ip, 16);
	o->src_port = dir ? k->dst_port : k->src_port;
	o->dst_port = dir ? k->src_port : k->dst_port;
	o->twin = d->twin;
	o->eth_type = ip_eth_type(k->ip_ver);
	detail_get(e, f, dir, &x);
	o->nsrc_mac = x.nsrc_mac;
	o->ndst_mac = x.ndst_mac;
	memcpy(o->src_mac, x.src_mac, sizeof(o->src_mac));
	memcpy(o->dst_mac, x.dst_mac, sizeof(o->dst_mac));
	o->nvlan = x.nvlan;
	memcpy(o->vlans, x.vlans, sizeof(o->vlans));
	o->nhdrs = x.nhdrs;
	memcpy(o->hdrs, x.hdrs, sizeof(o->hdrs));
}

/* A pair prints its non-inverted direction first; a lone flow prints alone (§2.7). */
static void
build_record(const struct tcpw_engine *e, uint32_t slot, struct tcpw_record *r)
{
	const struct flow *f = &e->flows[slot];
	unsigned int first = 0; /* a lone flow: its first packet's direction */

	memset(r, 0, sizeof(*r));
	r->flow_ind = cold_of(e, slot, 0)->flow_ind;
	r->ip_ver = f->key.ip_ver;
	r->l4_proto = f->key.proto;
	r->reason = f->reason;
	if (dir_present(&f->d[0]) && dir_present(&f->d[1])) {
		first = f->d[0].bits & DIR_INVERTED ? 1 : 0;
		r->ndir = 2;
		fill_dir(e, slot, first ^ 1, &r->dir[1]);
	} else {
		r->ndir = 1;
	}
	fill_dir(e, slot, first, &r->dir[0]);
}

static void
account_record(struct tcpw_engine *e, const struct tcpw_record *r)
{
	e->st.rec_pairs++;
	if (r->ndir == 1 && (r->dir[0].flow_stat & TCPW_FS_INVERT))
		e->st.rec_lone_inverted++;
	for (unsigned int i = 0; i < r->ndir; i++) {
		const struct tcpw_record_dir *d = &r->dir[i];
		bool b = d->flow_stat & TCPW_FS_INVERT;

		e->st.rec_dirs++;
		e->st.rec_pkts += d->pkts;
		*(b ? &e->st.b_pkts : &e->st.a_pkts) += d->pkts;
		*(b ? &e->st.b_bytes : &e->st.a_bytes) += d->bytes;
		e->st.win_below += d->twin.win_cnt;
		e->st.agg_twin_stat |= d->twin.stat;
		e->st.agg_twin_state |= d->twin.state;
		e->st.agg_flow_stat |= d->flow_stat & ~TCPW_FS_INVERT;
	}
}

unsigned int
tcpw_engine_drain(struct tcpw_engine *e, unsigned int max)
{
	unsigned int n = 0;
	struct tcpw_record r;

	while (n < max && e->retired_head != NIL) {
		uint32_t slot = e->retired_head;

		build_record(e, slot, &r);
		if (e->p.emit(e->p.emit_ctx, &r) != 0)
			break;
		account_record(e, &r);
		e->retired_head = e->flows[slot].d[0].next;
		if (e->retired_head == NIL)
			e->retired_tail = NIL;
		e->flows[slot].in_use = 0;
		ext_release(e, slot, 0);
		ext_release(e, slot, 1);
		e->flows[slot].d[0].next = e->free_head;
		e->free_head = slot;
		e->nfree++;
		e->npending--;
		n++;
	}
	return n;
}

unsigned int
tcpw_engine_pending(const struct tcpw_engine *e)
{
	return e->npending;
}

unsigned int
tcpw_engine_pairs(const struct tcpw_engine *e)
{
	return e->npairs - e->nfree - e->npending;
}

size_t
tcpw_engine_pair_bytes(size_t *hot, size_t *cold)
{
	if (hot != NULL)
		*hot = sizeof(struct flow);
	if (cold != NULL)
		*cold = 2 * sizeof(struct flow_cold);
	/* + 2 index buckets + a quarter of a touch ring entry */
	return sizeof(struct flow) + 2 * sizeof(struct flow_cold) + 2 * sizeof(uint32_t) + 1;
}

void
tcpw_engine_stats(const struct tcpw_engine *e, struct tcpw_engine_stats *out)
{
	*out = e->st;
	out->first_ts = us_ts(e->first_us);
	out->last_ts = us_ts(e->last_us);
	out->in_emergency = e->emergency;
}

void
tcpw_engine_stats_merge(struct tcpw_engine_stats *dst, const struct tcpw_engine_stats *src)
{
	if (src->pkts > 0) {
		if (dst->pkts == 0 || tcpw_ts_us(src->first_ts) < tcpw_ts_us(dst->first_ts))
			dst->first_ts = src->first_ts;
		if (dst->pkts == 0 || tcpw_ts_us(dst->last_ts) < tcpw_ts_us(src->last_ts))
			dst->last_ts = src->last_ts;
	}
	if (src->min_hdrs != 0 && (dst->min_hdrs == 0 || src->min_hdrs < dst->min_hdrs))
		dst->min_hdrs = src->min_hdrs;
	if (src->max_hdrs > dst->max_hdrs)
		dst->max_hdrs = src->max_hdrs;
	for (unsigned int v = 0; v < TCPW_VERDICT_MAX; v++)
		dst->verdict[v] += src->verdict[v];
	dst->agg_twin_stat |= src->agg_twin_stat;
	dst->agg_twin_state |= src->agg_twin_state;
	dst->agg_flow_stat |= src->agg_flow_stat;
#define SUM(f) dst->f += src->f
	SUM(pkts); SUM(bytes); SUM(frag_orphan); SUM(no_room); SUM(ipv4_pkts); SUM(ipv6_pkts);
	SUM(tcp_pkts); SUM(tcp_bytes); SUM(sum_hdrs); SUM(a_created); SUM(b_created);
	SUM(flows_in_mem); SUM(max_flows_in_mem); SUM(autopilot); SUM(emergency_on);
	SUM(emergency_ended); SUM(in_emergency); SUM(rec_pairs); SUM(rec_dirs);
	SUM(rec_lone_inverted); SUM(a_pkts); SUM(b_pkts); SUM(a_bytes); SUM(b_bytes);
	SUM(rec_pkts); SUM(win_below);
#undef SUM
}

/* ---- life cycle ---------------------------------------------------------------------- */

void
tcpw_engine_free(struct tcpw_engine *e)
{
	if (e == NULL)
		return;
	tcpw_free_huge(e->ring, sizeof(e->ring[0]) * (e->ring_mask + 1));
	tcpw_free(e->frags);
	tcpw_free(e->in.shape_idx);
	tcpw_free(e->in.shapes);
	tcpw_free(e->in.mac_idx);
	tcpw_free(e->in.macs);
	tcpw_free_huge(e->ext, sizeof(e->ext[0]) * 2 * e->npairs);
	tcpw_free_huge(e->cold, sizeof(e->cold[0]) * 2 * e->npairs);
	tcpw_free_huge(e->flows, sizeof(e->flows[0]) * (e->npairs + LINK_FLOWS));
	tcpw_free_huge(e->index, sizeof(e->index[0]) * 2 * e->npairs);
	tcpw_free(e);
}

struct tcpw_engine *
tcpw_engine_create(const struct tcpw_engine_params *p)
{
	struct tcpw_engine *e;
	uint32_t n = p->pairs;

	if (n < 8 || n > (1u << 26) || (n & (n - 1)) != 0 || p->emit == NULL) {
		errno = EINVAL;
		return NULL;
	}
	e = tcpw_zalloc(sizeof(*e));
	if (e == NULL)
		goto fail_nomem;
	e->p = *p;
	if (e->p.flow_ind_step == 0)
		e->p.flow_ind_step = 1;
	e->next_flow_ind = p->flow_ind_first ? p->flow_ind_first : 1;
	e->npairs = n;
	e->index_mask = 2 * n - 1;
	for (unsigned int i = 0; i < HASH_TERMS; i++) { /* splitmix64 */
		uint64_t z = p->hash_seed + (i + 1) * UINT64_C(0x9e3779b97f4a7c15);

		z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
		z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
		e->hash_key[i] = z ^ (z >> 31);
	}
	e->index = tcpw_zalloc_huge(sizeof(e->index[0]) * 2 * n, false);
	e->flows = tcpw_zalloc_huge(sizeof(e->flows[0]) * (n + LINK_FLOWS), true);
	e->cold = tcpw_zalloc_huge(sizeof(e->cold[0]) * 2 * n, true);
	e->ext = tcpw_zalloc_huge(sizeof(e->ext[0]) * 2 * n, true);
	e->in.macs = tcpw_zalloc(sizeof(e->in.macs[0]) * (MAC_IDS + 1));
	e->in.mac_idx = tcpw_zalloc(sizeof(e->in.mac_idx[0]) * 2 * (MAC_IDS + 1));
	e->in.shapes = tcpw_zalloc(sizeof(e->in.shapes[0]) * SHAPE_IDS);
	e->in.shape_idx = tcpw_zalloc(sizeof(e->in.shape_idx[0]) * 2 * (SHAPE_IDS + 1));
	e->frags = tcpw_zalloc(sizeof(e->frags[0]) * FRAG_SLOTS);
	/* a quarter of the table's pairs in touches (>= 4096): the 1 ms walk of the ABRT
	 * timeout trails the head by far fewer at any rate this table is sized for */
	e->ring_mask = (n >= 4 * 4096 ? n / 4 : 4096) - 1;
	e->ring = tcpw_zalloc_huge(sizeof(e->ring[0]) * (e->ring_mask + 1), true);
	if (e->ring == NULL || e->index == NULL || e->flows == NULL || e->cold == NULL || e->ext == NULL ||
	    e->in.macs == NULL || e->in.mac_idx == NULL || e->in.shapes == NULL ||
	    e->in.shape_idx == NULL || e->frags == NULL)
		goto fail_free;
	e->in.macs[ID_NONE] = UINT64_MAX; /* compact_same(): equal to no address */
	for (unsigned int i = 0; i < TCPW_SHAPE_HINTS; i++)
		e->in.hinted[i] = HINT_UNSEEN;
	/* slots 0, 1, 2... then the last freed: slot numbers depend only on the input */
	e->free_head = NIL;
	e->ext_free = NIL;
	e->nfree = n;
	e->retired_head = e->retired_tail = NIL;
	e->touches = p->touch_first; /* last_mark stays 0: out of the ring, as after a wrap */
	e->head = node_of(n + MAX_HANDLERS / 2, MAX_HANDLERS & 1);
	*node_next(e, e->head) = e->head;
	*node_prev(e, e->head) = e->head;
	if (tcpw_engine_set_timeouts(e, &p->tmt, p->flow_timeout_s) != 0 ||
	    tcpw_engine_set_overload(e, p->high_water, p->high_water ? p->emergency_timeout_s :
				     1.0f) != 0) {
		tcpw_engine_free(e);
		errno = EINVAL;
		return NULL;
	}
	return e;

fail_free:
	tcpw_engine_free(e);
fail_nomem:
	errno = ENOMEM;
	return NULL;
}
