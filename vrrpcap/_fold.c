/* vrrpcap._fold: count a router's repeated adverts at C speed (the file pipeline's fast path, vrrpcap/folding.py).
 *
 * A master sends the same advert every interval: frames equal in every byte but the IPv4 identification
 * and header checksum (and the capture's timestamp). Once the engine has handled such an advert and
 * says that its repeats change nothing but counters (Engine.offer), the pipeline registers the frame's
 * content here with the gap limit and Master_Down_Interval of its router. fold() then walks a list of
 * frames and counts each frame of a registered content, as long as
 *   - its gap to the previous advert of that content is between 0 and the limit (a longer one is a gap
 *     the timing detector reads; a negative one, time going backwards),
 *   - no registered router's deadline (its latest advert + Master_Down_Interval) has run out by then,
 *   - no deadline of the engine's own heap (the horizon) has run out by then,
 * and stops at the first frame that does not qualify, saying why; Python handles that frame. What
 * a run of repeats needs later is kept per content: how many, the first and last time, the last
 * frame and file, the last IPv4 identification and how the identifications stepped (timing.py's
 * loss-cause logic counts back-to-back adverts whose IDs step by one).
 *
 * A content is matched as vrrpcap.decode.cache._content_key builds its key: the frame's bytes with the
 * IPv4 identification and header checksum taken as zero when the frame is Ethernet (at most one VLAN
 * tag) carrying an IPv4 header of at least 20 bytes, plus the link type and the interface.
 * Comparisons of times are the engine's own (t - last <= limit; last + mdi < t), in IEEE doubles.
 *
 * Two masters of one virtual router at once (a split brain) are registered as a pair (pair()): a frame
 * of either is counted only while the other is still active (its latest advert no older than its
 * limit) and time does not go backwards across the two, and the pair keeps what the overlap detector
 * (analysis/detectors/overlap.py) reads of each advert in turn: which of the two advertised last and
 * the other's latest time (the episode's end), the lower's adverts, the higher's answers to them
 * within ANSWER_WINDOW and how many of those came off its own phase (claims.off_phase).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define HASHED 96 /* bytes of a frame that go into its hash; equal hashes are compared in full */

enum { END = 0, UNKNOWN = 1, GAP = 2, HORIZON = 3, DEADLINE = 4, FILE_CHANGED = 5 };

typedef struct {
    int used;
    int next; /* the next entry of its hash chain; -1: none */
    uint64_t hash;
    PyObject *key; /* the content key (bytes, owned) */
    unsigned linktype;
    PyObject *interface; /* owned; Py_None when the file names no interface */
    Py_ssize_t ip;       /* where the IPv4 header whose identification is read per frame starts; 0: none */
    long long template_id; /* the identification when it is not read per frame; -1: none */
    double limit, mdi;
    double last_time;
    long long last_id; /* -1: none */
    /* the repeats counted since the last take */
    long long count, last_frame, pairs, steps;
    double first_time;
    PyObject *last_file; /* owned while count > 0 */
    int pair;            /* its pair's index; -1: none */
    int member;          /* in its pair: 0 the lower, 1 the higher */
} Entry;

typedef struct {
    int used;
    int next_free;
    int slot[2]; /* the lower's and the higher's entries */
    int counting; /* the episode tells a direction: count the lower's adverts and their answers */
    double answer_window, high_interval;
    double pending;   /* the lower's latest advert not answered yet; NAN: none */
    double high_last; /* the higher's previous advert; NAN: none */
    int latest;       /* the member whose advert is the latest */
    double latest_time, second; /* its time, and the other's latest (the episode's last) */
    /* counted since the last take_pair */
    long long adverts, lower, answered, off_phase;
} Pair;

typedef struct {
    PyObject_HEAD Entry *entries;
    int capacity; /* entries allocated */
    int free;     /* the first unused entry; -1: none */
    int *buckets; /* hash chains' first entries; -1: none */
    int mask;     /* buckets - 1 (a power of two) */
    int live;
    double bound; /* never later than the earliest deadline of a live entry */
    Pair *pairs;
    int pair_capacity;
    int pair_free; /* -1: none */
} Folder;

static inline unsigned be16(const unsigned char *p) { return ((unsigned)p[0] << 8) | (unsigned)p[1]; }

/* Where the IPv4 header the key masks starts (cache._masked_ip); 0: nothing is masked. */
static size_t masked_ip(unsigned linktype, const unsigned char *d, size_t n) {
    size_t ip = 0;
    if (linktype != 1 || n < 14)
        return 0;
    if (d[12] == 0x08 && d[13] == 0x00)
        ip = 14;
    else if (d[12] == 0x81 && d[13] == 0x00 && n >= 18 && d[16] == 0x08 && d[17] == 0x00)
        ip = 18;
    return ip && n >= ip + 20 ? ip : 0;
}

/* A hash of the masked content's first HASHED bytes, its length and link type. */
static uint64_t content_hash(unsigned linktype, const unsigned char *d, size_t n, size_t ip) {
    unsigned char buf[HASHED];
    size_t take = n < HASHED ? n : HASHED;
    memset(buf, 0, sizeof buf);
    memcpy(buf, d, take);
    if (ip) {
        size_t zero[4] = {ip + 4, ip + 5, ip + 10, ip + 11};
        for (int k = 0; k < 4; k++)
            if (zero[k] < HASHED)
                buf[zero[k]] = 0;
    }
    uint64_t h = 0x9E3779B97F4A7C15ull ^ ((uint64_t)n << 16) ^ linktype;
    for (size_t i = 0; i < HASHED; i += 8) {
        uint64_t w;
        memcpy(&w, buf + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
    }
    return h;
}

/* The frame's bytes equal the key with the masked bytes (zero in the key) left out. */
static int same_content(const unsigned char *d, size_t n, size_t ip, PyObject *key) {
    if ((size_t)PyBytes_GET_SIZE(key) != n)
        return 0;
    const unsigned char *k = (const unsigned char *)PyBytes_AS_STRING(key);
    if (!ip)
        return memcmp(d, k, n) == 0;
    if (k[ip + 4] || k[ip + 5] || k[ip + 10] || k[ip + 11])
        return 0; /* a key that was not masked this way: no frame of this layout has it */
    return memcmp(d, k, ip + 4) == 0 && memcmp(d + ip + 6, k + ip + 6, 4) == 0 &&
           memcmp(d + ip + 12, k + ip + 12, n - ip - 12) == 0;
}

static int same_interface(PyObject *a, PyObject *b) {
    if (a == b)
        return 1;
    if (a == Py_None || b == Py_None)
        return 0;
    int same = PyObject_RichCompareBool(a, b, Py_EQ);
    if (same < 0) {
        PyErr_Clear();
        return 0;
    }
    return same;
}

static int grow(Folder *f) {
    int capacity = f->capacity ? f->capacity * 2 : 64;
    Entry *entries = PyMem_Realloc(f->entries, sizeof(Entry) * (size_t)capacity);
    if (entries == NULL)
        return -1;
    memset(entries + f->capacity, 0, sizeof(Entry) * (size_t)(capacity - f->capacity));
    for (int i = f->capacity; i < capacity; i++)
        entries[i].next = i + 1 < capacity ? i + 1 : f->free;
    f->free = f->capacity;
    f->entries = entries;
    /* Buckets: twice the entries, rebuilt from the live entries. */
    int *buckets = PyMem_Malloc(sizeof(int) * (size_t)capacity * 2);
    if (buckets == NULL)
        return -1;
    for (int i = 0; i < capacity * 2; i++)
        buckets[i] = -1;
    PyMem_Free(f->buckets);
    f->buckets = buckets;
    f->mask = capacity * 2 - 1;
    for (int i = 0; i < f->capacity; i++) {
        if (entries[i].used) {
            int b = (int)(entries[i].hash & (uint64_t)f->mask);
            entries[i].next = buckets[b];
            buckets[b] = i;
        }
    }
    f->capacity = capacity;
    return 0;
}

static PyObject *Folder_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    Folder *f = (Folder *)type->tp_alloc(type, 0);
    if (f == NULL)
        return NULL;
    f->free = -1;
    f->pair_free = -1;
    f->bound = INFINITY;
    if (grow(f) < 0) {
        Py_DECREF(f);
        return PyErr_NoMemory();
    }
    return (PyObject *)f;
}

static void clear_entry(Entry *e) {
    Py_CLEAR(e->key);
    Py_CLEAR(e->interface);
    Py_CLEAR(e->last_file);
    e->used = 0;
}

static void Folder_dealloc(Folder *f) {
    for (int i = 0; i < f->capacity; i++)
        if (f->entries[i].used)
            clear_entry(&f->entries[i]);
    PyMem_Free(f->entries);
    PyMem_Free(f->buckets);
    PyMem_Free(f->pairs);
    Py_TYPE(f)->tp_free((PyObject *)f);
}

static PyObject *id_value(long long id) {
    if (id < 0)
        Py_RETURN_NONE;
    return PyLong_FromLongLong(id);
}

/* The repeats an entry counted, as (count, first, last, last_frame, last_file, ip_id, pairs, steps), or None;
 * the count starts again from zero. */
static PyObject *take_entry(Entry *e) {
    if (e->count == 0)
        Py_RETURN_NONE;
    PyObject *id = id_value(e->last_id);
    if (id == NULL)
        return NULL;
    PyObject *out = Py_BuildValue("(LddLONLL)", e->count, e->first_time, e->last_time, e->last_frame, e->last_file,
                                  id, e->pairs, e->steps);
    if (out == NULL)
        return NULL;
    e->count = e->pairs = e->steps = 0;
    Py_CLEAR(e->last_file);
    return out;
}

static Entry *slot_entry(Folder *f, int slot) {
    if (slot < 0 || slot >= f->capacity || !f->entries[slot].used) {
        PyErr_SetString(PyExc_KeyError, "no such slot");
        return NULL;
    }
    return &f->entries[slot];
}

PyDoc_STRVAR(add_doc, "add(linktype, interface, key, ip, template_id, limit, mdi, last_time, last_id)\n--\n\n"
                      "Register a content (the decode cache's key of a frame) whose repeats may be counted; ip: where "
                      "the IPv4 header whose identification is read per frame starts (0: none, template_id is it; -1 "
                      "for no identification); last_time, last_id: the advert handled last. Returns its slot.");

static PyObject *Folder_add(Folder *f, PyObject *args) {
    unsigned int linktype;
    PyObject *interface, *key;
    Py_ssize_t ip;
    long long template_id, last_id;
    double limit, mdi, last_time;
    if (!PyArg_ParseTuple(args, "IOO!nLdddL", &linktype, &interface, &PyBytes_Type, &key, &ip, &template_id, &limit,
                          &mdi, &last_time, &last_id))
        return NULL;
    const unsigned char *d = (const unsigned char *)PyBytes_AS_STRING(key);
    size_t n = (size_t)PyBytes_GET_SIZE(key);
    size_t masked = masked_ip(linktype, d, n);
    if (ip != 0 && (size_t)ip != masked) {
        PyErr_SetString(PyExc_ValueError, "the identification is read per frame only where the key masks it");
        return NULL;
    }
    if (f->free < 0 && grow(f) < 0)
        return PyErr_NoMemory();
    int slot = f->free;
    Entry *e = &f->entries[slot];
    f->free = e->next;
    memset(e, 0, sizeof *e);
    e->used = 1;
    e->pair = -1;
    e->hash = content_hash(linktype, d, n, masked);
    Py_INCREF(key);
    e->key = key;
    e->linktype = linktype;
    Py_INCREF(interface);
    e->interface = interface;
    e->ip = ip;
    e->template_id = template_id;
    e->limit = limit;
    e->mdi = mdi;
    e->last_time = last_time;
    e->last_id = last_id;
    int b = (int)(e->hash & (uint64_t)f->mask);
    e->next = f->buckets[b];
    f->buckets[b] = slot;
    f->live++;
    double deadline = last_time + mdi;
    if (deadline < f->bound)
        f->bound = deadline;
    return PyLong_FromLong(slot);
}

PyDoc_STRVAR(remove_doc, "remove(slot)\n--\n\nUnregister a slot; returns what take(slot) would.");

static PyObject *Folder_remove(Folder *f, PyObject *arg) {
    int slot = (int)PyLong_AsLong(arg);
    if (slot == -1 && PyErr_Occurred())
        return NULL;
    Entry *e = slot_entry(f, slot);
    if (e == NULL)
        return NULL;
    if (e->pair >= 0) {
        PyErr_SetString(PyExc_ValueError, "a slot of a pair: unpair it first");
        return NULL;
    }
    PyObject *out = take_entry(e);
    if (out == NULL)
        return NULL;
    int b = (int)(e->hash & (uint64_t)f->mask);
    int *link = &f->buckets[b];
    while (*link != slot)
        link = &f->entries[*link].next;
    *link = e->next;
    clear_entry(e);
    e->next = f->free;
    f->free = slot;
    f->live--;
    return out;
}

PyDoc_STRVAR(take_doc, "take(slot)\n--\n\n(count, first, last, last_frame, last_file, ip_id, pairs, steps) of the "
                       "repeats counted since the last take, or None; the slot stays registered.");

static PyObject *Folder_take(Folder *f, PyObject *arg) {
    int slot = (int)PyLong_AsLong(arg);
    if (slot == -1 && PyErr_Occurred())
        return NULL;
    Entry *e = slot_entry(f, slot);
    return e == NULL ? NULL : take_entry(e);
}

/* The earliest deadline of the live entries (infinity when none). */
static double earliest(Folder *f) {
    double least = INFINITY;
    for (int i = 0; i < f->capacity; i++) {
        Entry *e = &f->entries[i];
        if (e->used && e->last_time + e->mdi < least)
            least = e->last_time + e->mdi;
    }
    return least;
}

PyDoc_STRVAR(expired_doc, "expired(now)\n--\n\nThe slots whose deadline (last time + mdi) is earlier than now.");

static PyObject *Folder_expired(Folder *f, PyObject *arg) {
    double now = PyFloat_AsDouble(arg);
    if (now == -1.0 && PyErr_Occurred())
        return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    for (int i = 0; i < f->capacity; i++) {
        Entry *e = &f->entries[i];
        if (e->used && e->last_time + e->mdi < now) {
            PyObject *slot = PyLong_FromLong(i);
            if (slot == NULL || PyList_Append(out, slot) < 0) {
                Py_XDECREF(slot);
                Py_DECREF(out);
                return NULL;
            }
            Py_DECREF(slot);
        }
    }
    return out;
}

/* claims.off_phase: not within the answer window of a whole number of intervals after the previous advert. */
static int off_phase(double t, double previous, double interval, double window) {
    if (isnan(previous))
        return 1;
    double beats = (t - previous) / interval;
    return fabs(beats - nearbyint(beats)) * interval > window;
}

/* An advert of one member at t, as the overlap detector's O(1) path reads it (_Episode.count). */
static void pair_count(Pair *p, int member, double t) {
    p->adverts++;
    if (member != p->latest) {
        p->second = p->latest_time;
        p->latest = member;
    }
    p->latest_time = t;
    if (!p->counting)
        return;
    if (member == 0) {
        p->lower++;
        p->pending = t;
        return;
    }
    if (!isnan(p->pending) && 0 <= t - p->pending && t - p->pending <= p->answer_window) {
        p->answered++;
        p->off_phase += off_phase(t, p->high_last, p->high_interval, p->answer_window);
        p->pending = NAN;
    }
    p->high_last = t;
}

static PyObject *optional(double value) {
    if (isnan(value))
        Py_RETURN_NONE;
    return PyFloat_FromDouble(value);
}

static int optional_arg(PyObject *value, double *out) {
    if (value == Py_None) {
        *out = NAN;
        return 0;
    }
    *out = PyFloat_AsDouble(value);
    return *out == -1.0 && PyErr_Occurred() ? -1 : 0;
}

PyDoc_STRVAR(pair_doc,
             "pair(lower, higher, counting, answer_window, high_interval, pending, high_last, latest, latest_time, "
             "second)\n--\n\n"
             "Link two registered slots, the overlap episode's lower and higher master, into a pair with the "
             "episode's state: pending and high_last (None: none), latest (0 the lower, 1 the higher advertised "
             "last), latest_time and second (the other's latest time). Returns the pair's index.");

static PyObject *Folder_pair(Folder *f, PyObject *args) {
    int slots[2], counting, latest;
    double window, interval, pending, high_last, latest_time, second;
    PyObject *pending_obj, *high_last_obj;
    if (!PyArg_ParseTuple(args, "iipddOOidd", &slots[0], &slots[1], &counting, &window, &interval, &pending_obj,
                          &high_last_obj, &latest, &latest_time, &second))
        return NULL;
    if (optional_arg(pending_obj, &pending) < 0 || optional_arg(high_last_obj, &high_last) < 0)
        return NULL;
    for (int m = 0; m < 2; m++) {
        Entry *e = slot_entry(f, slots[m]);
        if (e == NULL)
            return NULL;
        if (e->pair >= 0) {
            PyErr_SetString(PyExc_ValueError, "a slot is in a pair already");
            return NULL;
        }
    }
    if (slots[0] == slots[1] || (latest != 0 && latest != 1)) {
        PyErr_SetString(PyExc_ValueError, "two slots, and latest 0 or 1");
        return NULL;
    }
    if (f->pair_free < 0) {
        int capacity = f->pair_capacity ? f->pair_capacity * 2 : 16;
        Pair *pairs = PyMem_Realloc(f->pairs, sizeof(Pair) * (size_t)capacity);
        if (pairs == NULL)
            return PyErr_NoMemory();
        memset(pairs + f->pair_capacity, 0, sizeof(Pair) * (size_t)(capacity - f->pair_capacity));
        for (int i = f->pair_capacity; i < capacity; i++)
            pairs[i].next_free = i + 1 < capacity ? i + 1 : -1;
        f->pair_free = f->pair_capacity;
        f->pairs = pairs;
        f->pair_capacity = capacity;
    }
    int index = f->pair_free;
    Pair *p = &f->pairs[index];
    f->pair_free = p->next_free;
    memset(p, 0, sizeof *p);
    p->used = 1;
    p->slot[0] = slots[0];
    p->slot[1] = slots[1];
    p->counting = counting;
    p->answer_window = window;
    p->high_interval = interval;
    p->pending = pending;
    p->high_last = high_last;
    p->latest = latest;
    p->latest_time = latest_time;
    p->second = second;
    for (int m = 0; m < 2; m++) {
        f->entries[slots[m]].pair = index;
        f->entries[slots[m]].member = m;
    }
    return PyLong_FromLong(index);
}

static Pair *pair_of(Folder *f, PyObject *arg) {
    int index = (int)PyLong_AsLong(arg);
    if (index == -1 && PyErr_Occurred())
        return NULL;
    if (index < 0 || index >= f->pair_capacity || !f->pairs[index].used) {
        PyErr_SetString(PyExc_KeyError, "no such pair");
        return NULL;
    }
    return &f->pairs[index];
}

/* (adverts, lower, answered, off_phase, pending, high_last, latest, latest_time, second); the counts start
 * again from zero. */
static PyObject *take_pair(Pair *p) {
    PyObject *pending = optional(p->pending), *high_last = pending ? optional(p->high_last) : NULL;
    if (high_last == NULL) {
        Py_XDECREF(pending);
        return NULL;
    }
    PyObject *out = Py_BuildValue("(LLLLNNidd)", p->adverts, p->lower, p->answered, p->off_phase, pending, high_last,
                                  p->latest, p->latest_time, p->second);
    if (out != NULL)
        p->adverts = p->lower = p->answered = p->off_phase = 0;
    return out;
}

PyDoc_STRVAR(take_pair_doc, "take_pair(index)\n--\n\n(adverts, lower, answered, off_phase, pending, high_last, "
                            "latest, latest_time, second) of the pair: what was counted since the last take, "
                            "and its state now; the counts start again from zero.");

static PyObject *Folder_take_pair(Folder *f, PyObject *arg) {
    Pair *p = pair_of(f, arg);
    return p == NULL ? NULL : take_pair(p);
}

PyDoc_STRVAR(unpair_doc, "unpair(index)\n--\n\nUnlink a pair (its slots stay registered); returns what "
                         "take_pair(index) would.");

static PyObject *Folder_unpair(Folder *f, PyObject *arg) {
    Pair *p = pair_of(f, arg);
    if (p == NULL)
        return NULL;
    PyObject *out = take_pair(p);
    if (out == NULL)
        return NULL;
    int index = (int)(p - f->pairs);
    for (int m = 0; m < 2; m++)
        f->entries[p->slot[m]].pair = -1;
    p->used = 0;
    p->next_free = f->pair_free;
    f->pair_free = index;
    return out;
}

PyDoc_STRVAR(fold_doc,
             "fold(frames, start, horizon)\n--\n\n"
             "Count the frames of frames[start:] (a list of vrrpcap.frames.Frame) that repeat a registered content, "
             "up to the first that does not; returns (index, counted, reason, latest): the frame it stopped at "
             "(len(frames) at the end), how many it counted (all of one file: frames[start]'s), why it stopped "
             "(0 end, 1 not a registered content, 2 a gap beyond the limit or time going backwards, or its pair's other "
             "master no longer active, 3 the horizon "
             "ran out before the frame, 4 a registered router's deadline did, 5 another file's frame) and the "
             "latest time counted (None when none was).");

static PyObject *Folder_fold(Folder *f, PyObject *args) {
    PyObject *frames;
    Py_ssize_t start;
    double horizon;
    if (!PyArg_ParseTuple(args, "O!nd", &PyList_Type, &frames, &start, &horizon))
        return NULL;
    Py_ssize_t size = PyList_GET_SIZE(frames), i = start < 0 ? 0 : start;
    long long counted = 0;
    double latest = -INFINITY;
    PyObject *file = NULL;
    int reason = END;
    for (; i < size; i++) {
        PyObject *frame = PyList_GET_ITEM(frames, i);
        if (!PyTuple_Check(frame) || PyTuple_GET_SIZE(frame) < 7) {
            reason = UNKNOWN;
            break;
        }
        PyObject *time_obj = PyTuple_GET_ITEM(frame, 2), *data = PyTuple_GET_ITEM(frame, 4);
        PyObject *linktype_obj = PyTuple_GET_ITEM(frame, 3);
        if (!PyFloat_CheckExact(time_obj) || !PyBytes_CheckExact(data) || !PyLong_CheckExact(linktype_obj)) {
            reason = UNKNOWN;
            break;
        }
        double t = PyFloat_AS_DOUBLE(time_obj);
        if (t > f->bound) { /* a deadline may have run out: look at the exact earliest one */
            f->bound = earliest(f);
            if (f->bound < t) {
                reason = DEADLINE;
                break;
            }
        }
        if (horizon < t) {
            reason = HORIZON;
            break;
        }
        PyObject *this_file = PyTuple_GET_ITEM(frame, 0);
        if (file != NULL && this_file != file) {
            reason = FILE_CHANGED;
            break;
        }
        unsigned long linktype = PyLong_AsUnsignedLong(linktype_obj);
        if (linktype == (unsigned long)-1 && PyErr_Occurred()) {
            PyErr_Clear();
            reason = UNKNOWN;
            break;
        }
        const unsigned char *d = (const unsigned char *)PyBytes_AS_STRING(data);
        size_t n = (size_t)PyBytes_GET_SIZE(data);
        size_t ip = masked_ip((unsigned)linktype, d, n);
        uint64_t h = content_hash((unsigned)linktype, d, n, ip);
        PyObject *interface = PyTuple_GET_ITEM(frame, 6);
        Entry *e = NULL;
        for (int k = f->buckets[h & (uint64_t)f->mask]; k >= 0; k = f->entries[k].next) {
            Entry *c = &f->entries[k];
            if (c->hash == h && c->linktype == linktype && same_content(d, n, ip, c->key) &&
                same_interface(c->interface, interface)) {
                e = c;
                break;
            }
        }
        if (e == NULL) {
            reason = UNKNOWN;
            break;
        }
        double gap = t - e->last_time;
        if (!(gap >= 0.0 && gap <= e->limit)) {
            reason = GAP;
            break;
        }
        Pair *p = NULL;
        if (e->pair >= 0) { /* the set of masters holds: the other still active, time not going back */
            p = &f->pairs[e->pair];
            Entry *other = &f->entries[p->slot[1 - e->member]];
            if (t < p->latest_time || t - other->last_time > other->limit) {
                reason = GAP;
                break;
            }
        }
        long long number = PyLong_AsLongLong(PyTuple_GET_ITEM(frame, 1));
        if (number == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            reason = UNKNOWN;
            break;
        }
        long long id = e->ip ? (long long)be16(d + e->ip + 4) : e->template_id;
        if (e->last_id >= 0 && id >= 0) {
            e->pairs++;
            if ((((id - e->last_id) % 65536) + 65536) % 65536 == 1)
                e->steps++;
        }
        if (e->count == 0)
            e->first_time = t;
        e->count++;
        e->last_time = t;
        e->last_id = id;
        e->last_frame = number;
        if (e->last_file != this_file) {
            Py_INCREF(this_file);
            Py_XSETREF(e->last_file, this_file);
        }
        if (p != NULL)
            pair_count(p, e->member, t);
        file = this_file;
        counted++;
        if (t > latest)
            latest = t;
    }
    if (counted)
        return Py_BuildValue("(nLid)", i, counted, reason, latest);
    return Py_BuildValue("(nLiO)", i, counted, reason, Py_None);
}

PyDoc_STRVAR(live_doc, "live()\n--\n\nThe number of registered contents.");

static PyObject *Folder_live(Folder *f, PyObject *unused) { return PyLong_FromLong(f->live); }

static PyMethodDef Folder_methods[] = {
    {"add", (PyCFunction)Folder_add, METH_VARARGS, add_doc},
    {"remove", (PyCFunction)Folder_remove, METH_O, remove_doc},
    {"take", (PyCFunction)Folder_take, METH_O, take_doc},
    {"expired", (PyCFunction)Folder_expired, METH_O, expired_doc},
    {"fold", (PyCFunction)Folder_fold, METH_VARARGS, fold_doc},
    {"live", (PyCFunction)Folder_live, METH_NOARGS, live_doc},
    {"pair", (PyCFunction)Folder_pair, METH_VARARGS, pair_doc},
    {"take_pair", (PyCFunction)Folder_take_pair, METH_O, take_pair_doc},
    {"unpair", (PyCFunction)Folder_unpair, METH_O, unpair_doc},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject FolderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "vrrpcap._fold.Folder",
    .tp_basicsize = sizeof(Folder),
    .tp_dealloc = (destructor)Folder_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = PyDoc_STR("Registered advert contents and the repeats of each counted so far (see _fold.c)."),
    .tp_methods = Folder_methods,
    .tp_new = Folder_new,
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "vrrpcap._fold", "Repeated adverts counted at C speed (see _fold.c).", -1, NULL,
};

PyMODINIT_FUNC PyInit__fold(void) {
    if (PyType_Ready(&FolderType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    Py_INCREF(&FolderType);
    if (PyModule_AddObject(m, "Folder", (PyObject *)&FolderType) < 0) {
        Py_DECREF(&FolderType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
