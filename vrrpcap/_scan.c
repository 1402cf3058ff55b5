/* vrrpcap._scan: walk pcap records and pcapng enhanced packet blocks at C speed.
 *
 * The reader (vrrpcap/frames/pcap.py, pcapng.py) hands a buffer of raw file bytes and a position; a scan walks
 * records while everything about them is ordinary, counts every frame (so frame numbers stay
 * Wireshark's: the 1-based position in the file), keeps the earliest and latest timestamp, and
 * returns the frames that may carry VRRP. It stops, leaving the position at the start of the
 * record or block concerned, at the first thing that is not ordinary: a record that does not fit
 * in the buffer, an impossible length, a record longer than the snaplen or than the wire length,
 * and in pcapng any block other than an enhanced packet block (section headers, interface
 * descriptions, statistics, simple packets). The Python reader then handles that one record or
 * block with its own code, so damage, anomalies and drop counters come out exactly as without
 * this module, and calls the scan again.
 *
 * The filter is a superset of what vrrpcap.decode.decode_frame can turn into an advert: IPv4
 * protocol 112 (VRRP/CARP), 51 (AH) and ICMP errors, IPv6 next header 112, 51, ICMPv6 errors and
 * any extension header (Python walks them), found through Ethernet with any VLAN stack and
 * LLC/SNAP, Linux SLL and SLL2, raw IP and BSD null/loop. Frames of any other link type all pass.
 *
 * A mapped file that another process truncates raises SIGBUS at the first page past its new end. Scans
 * read their buffer under a guard (below): a SIGBUS there ends the scan with what it found before the
 * fault, marked as faulted, and the reader reports the damage instead of the process dying.
 *
 * Timestamps are computed with the same IEEE double operations as the Python reader
 * (seconds + fraction * resolution; ticks * resolution + offset), and the build turns off
 * floating-point contraction, so the values are bit for bit those Python computes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#define MAX_RECORD 262144u
#define MAX_PCAPNG_BLOCK (16u * 1024u * 1024u)

/* The fault guard. A scan (holding the GIL, so one at a time: plain statics, no thread-local storage,
 * whose first use may allocate) installs on_fault for SIGBUS, sets fault_jump and reads the buffer;
 * on_fault jumps back into the scan. A SIGBUS anywhere else, or in another thread, gets the disposition
 * that was there before (faulthandler, or the default: the process dies): on_fault puts it back and
 * returns, and the fault happens again under it. */
static sigjmp_buf *volatile fault_jump = NULL;
static pthread_t fault_thread;
/* A bytes object being filled from the buffer when a fault hit: freed by the scan that catches it. */
static PyObject *volatile pending = NULL;
static struct sigaction saved_bus;

static void on_fault(int sig, siginfo_t *info, void *context) {
    (void)sig;
    (void)info;
    (void)context;
    sigjmp_buf *jump = fault_jump;
    if (jump != NULL && pthread_equal(pthread_self(), fault_thread)) {
        fault_jump = NULL;
        siglongjmp(*jump, 1);
    }
    sigaction(SIGBUS, &saved_bus, NULL);
}

static int guard_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_NODEFER; /* NODEFER: leaving by siglongjmp leaves SIGBUS unblocked */
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGBUS, &action, &saved_bus) < 0) {
        PyErr_SetFromErrno(PyExc_OSError);
        return -1;
    }
    fault_thread = pthread_self();
    return 0;
}

static void guard_remove(void) {
    fault_jump = NULL;
    sigaction(SIGBUS, &saved_bus, NULL);
}

/* Keeps the compiler from moving memory accesses across it: a read of the buffer that may fault must not
 * happen before the record ahead of it is committed, nor a copy end after `pending` is cleared. */
#define BARRIER() __asm__ __volatile__("" ::: "memory")

/* Where a scan is, as of the last record it finished: what it returns when a fault cuts it short. */
typedef struct {
    size_t pos;
    long long number;
    double first, last;
    int have;
} Done;

static inline uint32_t rd32(const unsigned char *p, int big) {
    if (big)
        return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
    return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | (uint32_t)p[0];
}

static inline unsigned be16(const unsigned char *p) { return ((unsigned)p[0] << 8) | (unsigned)p[1]; }

static inline int is_vlan(unsigned ethertype) {
    return ethertype == 0x8100 || ethertype == 0x88A8 || ethertype == 0x9100 || ethertype == 0x9200;
}

/* The network layer of an IP packet starting at offset: 1 when it may carry VRRP. version 0: read
 * it from the header. Mirrors decode._ipv4/_ipv6/_icmp_quote, erring on the side of passing. */
static int ip_may_carry_vrrp(const unsigned char *d, size_t n, size_t off, int version) {
    if (version == 0) {
        if (n <= off)
            return 0;
        version = d[off] >> 4;
    }
    if (version == 4) {
        if (n < off + 20 || (d[off] >> 4) != 4)
            return 0;
        unsigned proto = d[off + 9];
        if (proto == 112 || proto == 51)
            return 1;
        if (proto != 1)
            return 0;
        size_t ihl = (size_t)(d[off] & 0x0F) * 4;
        if (ihl < 20 || n <= off + ihl)
            return 1; /* let Python decide */
        unsigned type = d[off + ihl];
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    }
    if (version == 6) {
        if (n < off + 40 || (d[off] >> 4) != 6)
            return 0;
        unsigned next = d[off + 6];
        if (next == 112 || next == 51 || next == 0 || next == 43 || next == 60 || next == 44)
            return 1;
        if (next != 58)
            return 0;
        if (n <= off + 40)
            return 1;
        unsigned type = d[off + 40];
        return type >= 1 && type <= 4;
    }
    return 0;
}

static int ethertype_version(unsigned ethertype) {
    if (ethertype == 0x0800)
        return 4;
    if (ethertype == 0x86DD)
        return 6;
    return -1;
}

/* Skip a VLAN stack as linklayer._skip_vlans does. */
static size_t skip_vlans(const unsigned char *d, size_t n, size_t off, unsigned *ethertype) {
    while (is_vlan(*ethertype) && n >= off + 4) {
        *ethertype = be16(d + off + 2);
        off += 4;
    }
    return off;
}

static int may_carry_vrrp(unsigned linktype, const unsigned char *d, size_t n) {
    unsigned ethertype;
    size_t off;
    int version;
    switch (linktype) {
    case 1: /* Ethernet */
        if (n < 14)
            return 0;
        ethertype = be16(d + 12);
        off = skip_vlans(d, n, 14, &ethertype);
        if (ethertype <= 1500 && n >= off + 3 && d[off] == 0xAA && d[off + 1] == 0xAA && d[off + 2] == 0x03 &&
            n >= off + 8) {
            ethertype = be16(d + off + 6);
            off += 8;
        }
        version = ethertype_version(ethertype);
        return version > 0 && ip_may_carry_vrrp(d, n, off, version);
    case 113: /* Linux SLL */
        if (n < 16)
            return 0;
        ethertype = be16(d + 14);
        off = skip_vlans(d, n, 16, &ethertype);
        version = ethertype_version(ethertype);
        return version > 0 && ip_may_carry_vrrp(d, n, off, version);
    case 276: /* Linux SLL2 */
        if (n < 20)
            return 0;
        ethertype = be16(d);
        off = skip_vlans(d, n, 20, &ethertype);
        version = ethertype_version(ethertype);
        return version > 0 && ip_may_carry_vrrp(d, n, off, version);
    case 12:
    case 14:
    case 101:
    case 228:
    case 229: /* raw IP */
        return n > 0 && ip_may_carry_vrrp(d, n, 0, 0);
    case 0:
    case 108: /* BSD null / loop */
        return n > 4 && ip_may_carry_vrrp(d, n, 4, 0);
    default: /* anything else: let Python decide */
        return 1;
    }
}

/* Times: the earliest, the latest (the running maximum is the merge key of a frame). */
typedef struct {
    double first, last;
    int have;
} Times;

static inline void see_time(Times *t, double value) {
    if (!t->have) {
        t->first = t->last = value;
        t->have = 1;
        return;
    }
    if (value < t->first)
        t->first = value;
    if (value > t->last)
        t->last = value;
}

/* (position, number, frames, keys, first, last, faulted) as of done; steals found and keys (keys may be
 * NULL: None). */
static PyObject *result(const volatile Done *done, PyObject *found, PyObject *keys, int faulted) {
    if (keys == NULL) {
        keys = Py_None;
        Py_INCREF(keys);
    }
    PyObject *flag = faulted ? Py_True : Py_False;
    if (done->have)
        return Py_BuildValue("(nLNNddO)", (Py_ssize_t)done->pos, done->number, found, keys, done->first, done->last,
                             flag);
    return Py_BuildValue("(nLNNOOO)", (Py_ssize_t)done->pos, done->number, found, keys, Py_None, Py_None, flag);
}

static inline void commit(volatile Done *done, size_t pos, long long number, const Times *t) {
    done->pos = pos;
    done->number = number;
    done->first = t->first;
    done->last = t->last;
    done->have = t->have;
    BARRIER();
}

static int read_times(PyObject *first, PyObject *last, Times *t) {
    t->have = 0;
    t->first = t->last = 0.0;
    if (first == Py_None || last == Py_None)
        return 0;
    t->first = PyFloat_AsDouble(first);
    if (t->first == -1.0 && PyErr_Occurred())
        return -1;
    t->last = PyFloat_AsDouble(last);
    if (t->last == -1.0 && PyErr_Occurred())
        return -1;
    t->have = 1;
    return 0;
}

/* A Frame (a NamedTuple: a tuple subclass) made as tuple.__new__ makes one around data, a bytes object it
 * steals (also on failure). Returns a new reference. */
static PyObject *frame_of(PyObject *frame_type, PyObject *label, long long number, double time, unsigned linktype,
                          PyObject *data, unsigned long wirelen, PyObject *interface) {
    PyObject *items[7];
    items[4] = data;
    items[0] = label;
    Py_INCREF(label);
    items[1] = PyLong_FromLongLong(number);
    items[2] = PyFloat_FromDouble(time);
    items[3] = PyLong_FromUnsignedLong(linktype);
    items[5] = PyLong_FromUnsignedLong(wirelen);
    items[6] = interface;
    Py_INCREF(interface);
    PyTypeObject *type = (PyTypeObject *)frame_type;
    PyObject *frame = NULL;
    if (items[1] && items[2] && items[3] && items[4] && items[5])
        frame = type->tp_alloc(type, 7);
    if (frame == NULL) {
        for (int i = 0; i < 7; i++)
            Py_XDECREF(items[i]);
        return NULL;
    }
    for (int i = 0; i < 7; i++)
        PyTuple_SET_ITEM(frame, i, items[i]);
    return frame;
}

/* A Frame holding a copy of length bytes at data. Steals nothing; returns a new reference. */
static PyObject *make_frame(PyObject *frame_type, PyObject *label, long long number, double time, unsigned linktype,
                            const unsigned char *data, size_t length, unsigned long wirelen, PyObject *interface) {
    /* The data first, copied here: a fault in the copy leaves only `pending` to free. */
    PyObject *bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)length);
    if (bytes == NULL)
        return NULL;
    pending = bytes;
    BARRIER();
    memcpy(PyBytes_AS_STRING(bytes), data, length);
    BARRIER();
    pending = NULL;
    return frame_of(frame_type, label, number, time, linktype, bytes, wirelen, interface);
}

/* Append frame (and its key, when keys is not NULL) to the result lists; steals frame. */
static int add_frame(PyObject *found, PyObject *keys, PyObject *frame, double key) {
    if (frame == NULL)
        return -1;
    int failed = PyList_Append(found, frame) < 0;
    Py_DECREF(frame);
    if (!failed && keys != NULL) {
        PyObject *k = PyFloat_FromDouble(key);
        failed = k == NULL || PyList_Append(keys, k) < 0;
        Py_XDECREF(k);
    }
    return failed ? -1 : 0;
}

static int check_frame_type(PyObject *frame_type) {
    if (!PyType_Check(frame_type) || !PyType_IsSubtype((PyTypeObject *)frame_type, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "frame_type must be a tuple subclass (vrrpcap.frames.Frame)");
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(scan_pcap_doc,
             "scan_pcap(buffer, position, number, big_endian, record_header, linktype, snaplen, resolution, first, "
             "last, frame_type, label, keyed, limit)\n--\n\n"
             "Walk pcap records from position (no record starting limit bytes or more after it; 0: no limit). "
             "Returns (position, number, frames, keys, first, last, faulted): where it stopped, the number of the "
             "last frame counted, the frames (frame_type instances) that may carry VRRP, their merge keys (the "
             "latest time of the file up to each; None unless keyed), the earliest and latest timestamps of all "
             "frames so far (None before any frame), and whether reading the buffer faulted (a mapped file that "
             "shrank): then position is the record that could not be read.");

static PyObject *scan_pcap(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t position;
    long long number;
    int big, record_header, keyed;
    unsigned int linktype, snaplen;
    double resolution;
    PyObject *first_obj, *last_obj, *frame_type, *label;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "y*nLpiIIdOOOOpn", &view, &position, &number, &big, &record_header, &linktype,
                          &snaplen, &resolution, &first_obj, &last_obj, &frame_type, &label, &keyed, &limit))
        return NULL;
    Times times;
    PyObject *found = NULL, *keys = NULL;
    if (check_frame_type(frame_type) < 0 || read_times(first_obj, last_obj, &times) < 0)
        goto fail;
    found = PyList_New(0);
    keys = keyed ? PyList_New(0) : NULL;
    if (found == NULL || (keyed && keys == NULL))
        goto fail;
    const unsigned char *buf = (const unsigned char *)view.buf;
    size_t size = (size_t)view.len;
    size_t pos = position < 0 ? 0 : (size_t)position;
    size_t header = (size_t)record_header;
    size_t stop = limit > 0 && (size_t)limit < size - (pos < size ? pos : size) ? pos + (size_t)limit : size;
    volatile Done done;
    commit(&done, pos, number, &times);
    volatile int faulted = 0, failed = 0;
    sigjmp_buf jump;
    if (guard_install() < 0)
        goto fail;
    if (sigsetjmp(jump, 0) == 0) {
        fault_jump = &jump;
        while (pos + header <= size && pos < stop) {
            const unsigned char *h = buf + pos;
            uint32_t seconds = rd32(h, big), fraction = rd32(h + 4, big);
            uint32_t caplen = rd32(h + 8, big), wirelen = rd32(h + 12, big);
            if (caplen > MAX_RECORD || pos + header + caplen > size)
                break;
            if ((snaplen && caplen > snaplen) || caplen > wirelen)
                break; /* an anomaly: counted by Python */
            number++;
            double t = (double)seconds + (double)fraction * resolution;
            see_time(&times, t);
            size_t start = pos + header;
            if (may_carry_vrrp(linktype, buf + start, caplen)) {
                PyObject *frame =
                    make_frame(frame_type, label, number, t, linktype, buf + start, caplen, wirelen, Py_None);
                if (add_frame(found, keys, frame, times.last) < 0) {
                    failed = 1;
                    break;
                }
            }
            pos = start + caplen;
            commit(&done, pos, number, &times);
        }
    } else {
        faulted = 1; /* the record at done.pos was not all there: the file shrank under the map */
        Py_CLEAR(pending);
    }
    guard_remove();
    if (failed)
        goto fail;
    PyBuffer_Release(&view);
    return result(&done, found, keys, faulted);
fail:
    Py_XDECREF(found);
    Py_XDECREF(keys);
    PyBuffer_Release(&view);
    return NULL;
}

PyDoc_STRVAR(scan_pcapng_doc,
             "scan_pcapng(buffer, position, number, big_endian, interfaces, first, last, frame_type, label, keyed, "
             "limit)"
             "\n--\n\n"
             "Walk pcapng enhanced packet blocks from position; interfaces is a sequence of (linktype, snaplen, "
             "resolution, offset, name). Stops before any other block. Returns what scan_pcap returns.");

typedef struct {
    unsigned linktype;
    unsigned long snaplen;
    double resolution, offset;
    PyObject *name; /* borrowed from the interfaces sequence */
} Iface;

static PyObject *scan_pcapng(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t position;
    long long number;
    int big, keyed;
    PyObject *interfaces, *first_obj, *last_obj, *frame_type, *label;
    Py_ssize_t limit;
    if (!PyArg_ParseTuple(args, "y*nLpOOOOOpn", &view, &position, &number, &big, &interfaces, &first_obj,
                          &last_obj, &frame_type, &label, &keyed, &limit))
        return NULL;
    Times times;
    PyObject *seq = NULL, *found = NULL, *keys = NULL;
    Iface *ifaces = NULL;
    if (check_frame_type(frame_type) < 0 || read_times(first_obj, last_obj, &times) < 0)
        goto fail;
    seq = PySequence_Fast(interfaces, "interfaces must be a sequence");
    if (seq == NULL)
        goto fail;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    ifaces = PyMem_Malloc(sizeof(Iface) * (size_t)(count > 0 ? count : 1));
    if (ifaces == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "IkddO", &ifaces[i].linktype, &ifaces[i].snaplen,
                              &ifaces[i].resolution, &ifaces[i].offset, &ifaces[i].name))
            goto fail;
    }
    found = PyList_New(0);
    keys = keyed ? PyList_New(0) : NULL;
    if (found == NULL || (keyed && keys == NULL))
        goto fail;
    const unsigned char *buf = (const unsigned char *)view.buf;
    size_t size = (size_t)view.len;
    size_t pos = position < 0 ? 0 : (size_t)position;
    size_t stop = limit > 0 && (size_t)limit < size - (pos < size ? pos : size) ? pos + (size_t)limit : size;
    volatile Done done;
    commit(&done, pos, number, &times);
    volatile int faulted = 0, failed = 0;
    sigjmp_buf jump;
    if (guard_install() < 0)
        goto fail;
    if (sigsetjmp(jump, 0) == 0) {
        fault_jump = &jump;
        while (pos + 8 <= size && pos < stop) {
            const unsigned char *b = buf + pos;
            uint32_t type = rd32(b, big), total = rd32(b + 4, big);
            if (type != 6 || total < 12 || total % 4 || total > MAX_PCAPNG_BLOCK || pos + total > size)
                break;
            size_t body_length = total - 12;
            if (body_length < 20)
                break;
            const unsigned char *body = b + 8;
            uint32_t iface = rd32(body, big), ts_high = rd32(body + 4, big), ts_low = rd32(body + 8, big);
            uint32_t caplen = rd32(body + 12, big), wirelen = rd32(body + 16, big);
            if ((Py_ssize_t)iface >= count || caplen > body_length - 20)
                break;
            Iface *info = &ifaces[iface];
            if ((info->snaplen && caplen > info->snaplen) || caplen > wirelen)
                break;
            number++;
            uint64_t ticks = ((uint64_t)ts_high << 32) | (uint64_t)ts_low;
            double t = (double)ticks * info->resolution + info->offset;
            see_time(&times, t);
            size_t start = pos + 8 + 20;
            if (may_carry_vrrp(info->linktype, buf + start, caplen)) {
                PyObject *frame = make_frame(frame_type, label, number, t, info->linktype, buf + start, caplen,
                                             wirelen, info->name);
                if (add_frame(found, keys, frame, times.last) < 0) {
                    failed = 1;
                    break;
                }
            }
            pos += total;
            commit(&done, pos, number, &times);
        }
    } else {
        faulted = 1;
        Py_CLEAR(pending);
    }
    guard_remove();
    if (failed)
        goto fail;
    PyMem_Free(ifaces);
    Py_DECREF(seq);
    PyBuffer_Release(&view);
    return result(&done, found, keys, faulted);
fail:
    PyMem_Free(ifaces);
    Py_XDECREF(seq);
    Py_XDECREF(found);
    Py_XDECREF(keys);
    PyBuffer_Release(&view);
    return NULL;
}

PyDoc_STRVAR(mask_doc,
             "content_key(linktype, data)\n--\n\n"
             "data with the IPv4 identification and header checksum zeroed when it is Ethernet (at most one VLAN "
             "tag) carrying IPv4 of at least 20 bytes; otherwise data itself. See vrrpcap.decode.cache._content_key.");

static PyObject *content_key(PyObject *self, PyObject *args) {
    unsigned int linktype;
    PyObject *data;
    if (!PyArg_ParseTuple(args, "IO!", &linktype, &PyBytes_Type, &data))
        return NULL;
    const unsigned char *d = (const unsigned char *)PyBytes_AS_STRING(data);
    size_t n = (size_t)PyBytes_GET_SIZE(data);
    size_t ip = 0;
    if (linktype == 1 && n >= 14) {
        if (d[12] == 0x08 && d[13] == 0x00)
            ip = 14;
        else if (d[12] == 0x81 && d[13] == 0x00 && n >= 18 && d[16] == 0x08 && d[17] == 0x00)
            ip = 18;
    }
    if (!ip || n < ip + 20) {
        Py_INCREF(data);
        return data;
    }
    PyObject *out = PyBytes_FromStringAndSize((const char *)d, (Py_ssize_t)n);
    if (out == NULL)
        return NULL;
    char *o = PyBytes_AS_STRING(out);
    o[ip + 4] = o[ip + 5] = o[ip + 10] = o[ip + 11] = 0;
    return out;
}

PyDoc_STRVAR(may_carry_doc, "may_carry_vrrp(linktype, data)\n--\n\nThe scanner's filter on one frame (for tests).");

static PyObject *py_may_carry_vrrp(PyObject *self, PyObject *args) {
    unsigned int linktype;
    Py_buffer view;
    if (!PyArg_ParseTuple(args, "Iy*", &linktype, &view))
        return NULL;
    int yes = may_carry_vrrp(linktype, (const unsigned char *)view.buf, (size_t)view.len);
    PyBuffer_Release(&view);
    return PyBool_FromLong(yes);
}

PyDoc_STRVAR(clone_doc,
             "clone(template, file, frame, time, ip_id)\n--\n\n"
             "A new object of template's type (a class with __slots__ only, among them file, frame, time and ip_id) "
             "holding template's slot values, with file, frame, time and ip_id replaced. vrrpcap.decode.cache uses it to make "
             "an advert from a cached one, many times faster than the frozen dataclass's __init__; it checks the "
             "result against __init__ before relying on it.");

#define CLONED 4 /* the slots a clone takes from its arguments */
static const char *const clone_names[CLONED] = {"file", "frame", "time", "ip_id"};
static PyTypeObject *clone_type = NULL; /* the type whose offsets are below (a strong reference) */
static Py_ssize_t clone_offsets[CLONED];

static PyObject *clone_slots(PyObject *self, PyObject *args) {
    PyObject *template, *values[CLONED];
    if (!PyArg_ParseTuple(args, "OOOOO", &template, &values[0], &values[1], &values[2], &values[3]))
        return NULL;
    PyTypeObject *type = Py_TYPE(template);
    if (type != clone_type) {
        if (type->tp_dictoffset != 0 || type->tp_members == NULL) {
            PyErr_SetString(PyExc_TypeError, "clone() needs an instance of a class with __slots__ and no __dict__");
            return NULL;
        }
        int found = 0;
        for (PyMemberDef *m = type->tp_members; m->name != NULL; m++) {
            if (m->type != T_OBJECT_EX || (m->flags & READONLY)) {
                PyErr_SetString(PyExc_TypeError, "clone() handles only plain __slots__ members");
                return NULL;
            }
            for (int k = 0; k < CLONED; k++) {
                if (strcmp(m->name, clone_names[k]) == 0) {
                    clone_offsets[k] = m->offset;
                    found |= 1 << k;
                }
            }
        }
        if (found != (1 << CLONED) - 1) {
            PyErr_SetString(PyExc_TypeError, "clone() needs slots named file, frame, time and ip_id");
            return NULL;
        }
        Py_INCREF(type);
        Py_XDECREF(clone_type);
        clone_type = type;
    }
    PyObject *obj = type->tp_alloc(type, 0);
    if (obj == NULL)
        return NULL;
    for (PyMemberDef *m = type->tp_members; m->name != NULL; m++) {
        PyObject *value = *(PyObject **)((char *)template + m->offset);
        Py_XINCREF(value);
        *(PyObject **)((char *)obj + m->offset) = value;
    }
    for (int k = 0; k < CLONED; k++) {
        PyObject **slot = (PyObject **)((char *)obj + clone_offsets[k]);
        Py_XDECREF(*slot);
        Py_INCREF(values[k]);
        *slot = values[k];
    }
    return obj;
}

#ifdef __linux__
/* The live capture's ring (vrrpcap/live/ring.py): a packet socket's TPACKET_V3 receive ring, mapped by
 * Python. The kernel fills blocks in ring order and hands each one over whole (full, or its timer ran
 * out) by setting TP_STATUS_USER in the block's status; a reader walks the packets of the blocks it
 * owns and gives each block back with TP_STATUS_KERNEL. One call here does that for every block ready
 * from `index` on (at most `limit` frames, whole blocks), so Python pays per block, not per packet: no
 * syscall, no ancillary data to parse, no bytes object but the frame's own. The GIL is held throughout;
 * Python waits for the next block with poll(), which releases it. */
#include <linux/if_packet.h>
#include <math.h>

PyDoc_STRVAR(ring_read_doc,
             "ring_read(ring, block_size, blocks, index, frame_type, label, interface, number, linktype, limit)\n--\n\n"
             "Frames from the TPACKET_V3 ring `ring` (a writable buffer of `blocks` blocks of `block_size` bytes): "
             "every packet of the blocks the kernel has handed over, from block `index` on, each block given back "
             "to the kernel once read; it stops at a block still the kernel's, or once `limit` frames are read. "
             "Frames are numbered from number + 1; a VLAN tag the kernel took out of a frame is put back (as "
             "scapy does from the auxiliary data), and times are the kernel's, rounded to the microsecond as "
             "vrrpcap.live.source.microseconds rounds them. Returns (frames, index, number, drained): drained "
             "is True when it stopped at a block the kernel still fills.");

static PyObject *ring_read(PyObject *self, PyObject *args) {
    Py_buffer view;
    Py_ssize_t block_size, blocks, index, limit;
    long long number;
    unsigned int linktype;
    PyObject *frame_type, *label, *interface;
    if (!PyArg_ParseTuple(args, "w*nnnOOOLIn", &view, &block_size, &blocks, &index, &frame_type, &label, &interface,
                          &number, &linktype, &limit))
        return NULL;
    PyObject *found = NULL;
    if (check_frame_type(frame_type) < 0)
        goto fail;
    if (block_size < (Py_ssize_t)sizeof(struct tpacket_block_desc) || blocks <= 0 || index < 0 || index >= blocks ||
        view.len < block_size * blocks) {
        PyErr_SetString(PyExc_ValueError, "ring_read: the ring's geometry does not fit the buffer");
        goto fail;
    }
    found = PyList_New(0);
    if (found == NULL)
        goto fail;
    int drained = 0;
    size_t size = (size_t)block_size;
    while (1) {
        if (limit > 0 && PyList_GET_SIZE(found) >= limit)
            break;
        unsigned char *block = (unsigned char *)view.buf + (size_t)index * size;
        struct tpacket_block_desc *desc = (struct tpacket_block_desc *)block;
        /* Acquire: the packets the kernel wrote before it set the status are visible after this load. */
        uint32_t status = __atomic_load_n(&desc->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
        if (!(status & TP_STATUS_USER)) {
            drained = 1;
            break;
        }
        uint32_t count = desc->hdr.bh1.num_pkts;
        size_t offset = desc->hdr.bh1.offset_to_first_pkt;
        int failed = 0;
        for (uint32_t k = 0; k < count; k++) {
            if (offset < sizeof(struct tpacket_block_desc) || offset + sizeof(struct tpacket3_hdr) > size)
                break; /* cannot happen with a sane kernel; never read past the block */
            const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)(block + offset);
            size_t mac = h->tp_mac, caplen = h->tp_snaplen;
            if (mac + caplen > size - offset)
                break;
            const unsigned char *data = block + offset + mac;
            int tagged = (h->hv1.tp_vlan_tci != 0 || (h->tp_status & TP_STATUS_VLAN_VALID)) && caplen >= 12;
            size_t length = caplen + (tagged ? 4 : 0);
            PyObject *bytes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)length);
            if (bytes == NULL) {
                failed = 1;
                break;
            }
            unsigned char *out = (unsigned char *)PyBytes_AS_STRING(bytes);
            if (tagged) {
                unsigned tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ? h->hv1.tp_vlan_tpid : 0x8100;
                unsigned tci = h->hv1.tp_vlan_tci & 0xFFFF;
                memcpy(out, data, 12);
                out[12] = (unsigned char)(tpid >> 8);
                out[13] = (unsigned char)tpid;
                out[14] = (unsigned char)(tci >> 8);
                out[15] = (unsigned char)tci;
                memcpy(out + 16, data + 12, caplen - 12);
            } else {
                memcpy(out, data, caplen);
            }
            /* seconds + nanoseconds * 1e-9 (scapy's SO_TIMESTAMPNS sum), then round(t * 1e6) * 1e-6:
             * nearbyint rounds half to even like Python's round(), and no contraction (setup.py). */
            double t = (double)h->tp_sec + (double)h->tp_nsec * 1e-9;
            t = nearbyint(t * 1e6) * 1e-6;
            unsigned long wirelen = (unsigned long)h->tp_len + (tagged ? 4ul : 0ul);
            number++;
            PyObject *frame = frame_of(frame_type, label, number, t, linktype, bytes, wirelen, interface);
            if (frame == NULL || PyList_Append(found, frame) < 0) {
                Py_XDECREF(frame);
                failed = 1;
                break;
            }
            Py_DECREF(frame);
            if (h->tp_next_offset == 0)
                break;
            offset += h->tp_next_offset;
        }
        if (failed)
            goto fail; /* the block stays the reader's: the next call reads it again */
        /* Release: every read of the block is done before the kernel may write it again. */
        __atomic_store_n(&desc->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        index = (index + 1) % blocks;
    }
    PyBuffer_Release(&view);
    return Py_BuildValue("(NnLO)", found, index, number, drained ? Py_True : Py_False);
fail:
    Py_XDECREF(found);
    PyBuffer_Release(&view);
    return NULL;
}
#endif

static PyMethodDef methods[] = {
    {"clone", clone_slots, METH_VARARGS, clone_doc},
    {"scan_pcap", scan_pcap, METH_VARARGS, scan_pcap_doc},
    {"scan_pcapng", scan_pcapng, METH_VARARGS, scan_pcapng_doc},
    {"may_carry_vrrp", py_may_carry_vrrp, METH_VARARGS, may_carry_doc},
    {"content_key", content_key, METH_VARARGS, mask_doc},
#ifdef __linux__
    {"ring_read", ring_read, METH_VARARGS, ring_read_doc},
#endif
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "vrrpcap._scan", "C-speed scan of pcap/pcapng records (see _scan.c).", -1, methods,
};

PyMODINIT_FUNC PyInit__scan(void) { return PyModule_Create(&module); }
