#!/usr/bin/env python3
"""Checks the hvf-qga guest agent of a running default-image guest (standard library only).

    images/test-qga.py [--boot-wait SECONDS] /path/to/qga.sock

The socket is QEMU's `-chardev socket,id=qga0,path=...,server=on,wait=off`
behind `-device virtserialport,...,name=org.qemu.guest_agent.0`. With
--boot-wait the first sync is retried until the agent answers (a booting
guest), and the time to that answer is printed. Every check prints one line;
the exit status is non-zero if any failed.
"""
import argparse
import base64
import json
import os
import random
import socket
import sys
import time

REPLY_TIMEOUT = 20.0  # TCG guests are slow
failures = 0


def check(ok, what, detail=""):
    global failures
    print(("ok   " if ok else "FAIL ") + what + (": " + detail if detail and not ok else ""), flush=True)
    if not ok:
        failures += 1
    return ok


class Agent:
    def __init__(self, path, connect_wait=10.0):
        deadline = time.monotonic() + connect_wait
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no reply")
        self.sock.settimeout(left)
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("socket closed")
        self.buf += chunk

    def line(self, timeout=REPLY_TIMEOUT):
        """The next reply line (JSON), after dropping any 0xFF delimiters."""
        deadline = time.monotonic() + timeout
        while True:
            self.buf = self.buf.lstrip(b"\xff")
            i = self.buf.find(b"\n")
            if i >= 0:
                raw, self.buf = self.buf[:i], self.buf[i + 1:]
                return json.loads(raw)
            self._fill(deadline)

    def cmd(self, execute, arguments=None, timeout=REPLY_TIMEOUT, **top):
        req = {"execute": execute}
        if arguments is not None:
            req["arguments"] = arguments
        req.update(top)
        self.send(json.dumps(req).encode() + b"\n")
        return self.line(timeout)

    def sync_delimited(self, sync_id, timeout=REPLY_TIMEOUT):
        """0xFF + guest-sync-delimited; returns (saw 0xFF before the reply, reply)."""
        self.send(b"\xff" + json.dumps({"execute": "guest-sync-delimited", "arguments": {"id": sync_id}}).encode() + b"\n")
        deadline = time.monotonic() + timeout
        while True:
            i = self.buf.find(b"\xff")
            if i < 0:
                self.buf = b""  # stale bytes before the delimiter are dropped
                self._fill(deadline)
                continue
            self.buf = self.buf[i + 1:]
            while b"\n" not in self.buf:
                self._fill(deadline)
            raw, self.buf = self.buf.split(b"\n", 1)
            reply = json.loads(raw.lstrip(b"\xff"))
            if reply.get("return") == sync_id:
                return True, reply
            # an older sync's answer (a retry while booting): keep looking


def exec_wait(agent, path, args=None, timeout=60.0, **extra):
    """guest-exec then guest-exec-status until exited; returns (pid, final status, statuses seen)."""
    a = {"path": path, "capture-output": True}
    if args is not None:
        a["arg"] = args
    a.update(extra)
    r = agent.cmd("guest-exec", a)
    if "return" not in r:
        raise RuntimeError("guest-exec failed: %s" % r)
    pid = r["return"]["pid"]
    deadline = time.monotonic() + timeout
    polls = 0
    while True:
        st = agent.cmd("guest-exec-status", {"pid": pid})
        polls += 1
        if "return" not in st:
            raise RuntimeError("guest-exec-status failed: %s" % st)
        if st["return"]["exited"]:
            return pid, st["return"], polls
        if time.monotonic() > deadline:
            raise TimeoutError("pid %d still running" % pid)
        time.sleep(0.1)


def b64(s):
    return base64.b64decode(s) if s else b""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--boot-wait", type=float, default=0, help="retry the first sync this long (guest booting)")
    opts = ap.parse_args()
    start = time.monotonic()

    agent = Agent(opts.socket, connect_wait=max(10.0, opts.boot_wait))
    # 1. guest-sync-delimited (retried while the guest boots)
    sync_id = random.randint(1, 2**31)
    deadline = start + opts.boot_wait
    while True:
        try:
            delim, r = agent.sync_delimited(sync_id, timeout=1.0 if time.monotonic() < deadline else REPLY_TIMEOUT)
            break
        except TimeoutError:
            if time.monotonic() >= deadline:
                check(False, "guest-sync-delimited", "no answer")
                return 1
            sync_id += 1
    if opts.boot_wait:
        print("info first answer %.2f s after the test started" % (time.monotonic() - start), flush=True)
    check(delim and r == {"return": sync_id}, "guest-sync-delimited: 0xFF then {\"return\": %d}" % sync_id, str(r))

    # 2. guest-sync, guest-ping (+ id echo)
    r = agent.cmd("guest-sync", {"id": 42})
    check(r == {"return": 42}, "guest-sync returns the id", str(r))
    t0 = time.monotonic()
    r = agent.cmd("guest-ping", id="req-1")
    check(r == {"return": {}, "id": "req-1"}, "guest-ping answers {} and echoes the request id (%.0f ms)" % ((time.monotonic() - t0) * 1000), str(r))
    r = agent.cmd("guest-ping", id={"a": [1, 2]})
    check(r.get("id") == {"a": [1, 2]}, "a structured request id is echoed", str(r))

    # 3. guest-info
    r = agent.cmd("guest-info")
    info = r.get("return", {})
    names = {c.get("name") for c in info.get("supported_commands", []) if c.get("enabled") and c.get("success-response")}
    want = {"guest-sync-delimited", "guest-sync", "guest-ping", "guest-info", "guest-network-get-interfaces",
            "guest-exec", "guest-exec-status"}
    check(info.get("version") == "hvf-qga 1" and want <= names, "guest-info: version hvf-qga 1, %d commands enabled" % len(names), str(r))

    # 4. guest-network-get-interfaces
    r = agent.cmd("guest-network-get-interfaces")
    ifs = {i.get("name"): i for i in r.get("return", [])}
    lo = ifs.get("lo", {})
    lo_addrs = {(a.get("ip-address-type"), a.get("ip-address"), a.get("prefix")) for a in lo.get("ip-addresses", [])}
    check(("ipv4", "127.0.0.1", 8) in lo_addrs, "guest-network-get-interfaces: lo with 127.0.0.1/8", str(r))
    others = [n for n in ifs if n != "lo"]
    check(all(":" in ifs[n].get("hardware-address", "") for n in others),
          "interfaces %s carry a hardware-address" % sorted(ifs), str(r))

    # 5. errors
    r = agent.cmd("guest-no-such-command", id=7)
    check(r.get("error", {}).get("class") == "CommandNotFound" and r.get("id") == 7, "unknown command -> CommandNotFound", str(r))
    agent.send(b'{"execute": guest-ping}\n')
    r = agent.line()
    check(r.get("error", {}).get("class") == "GenericError", "malformed JSON -> GenericError", str(r))
    r = agent.cmd("guest-sync", {})
    check(r.get("error", {}).get("class") == "GenericError", "guest-sync without id -> GenericError", str(r))
    r = agent.cmd("guest-exec-status", {"pid": 999999})
    check(r.get("error") == {"class": "GenericError", "desc": "Invalid parameter 'pid'"}, "unknown pid -> Invalid parameter 'pid'", str(r))
    r = agent.cmd("guest-exec", {"path": "/no/such/program"})
    check(r.get("error", {}).get("class") == "GenericError", "guest-exec of a missing program -> GenericError", str(r))
    # a partial request, then 0xFF: the partial one is dropped, the next is answered
    agent.send(b'{"execute": "guest-ping", "argu')
    time.sleep(0.3)
    agent.send(b'\xff{"execute": "guest-sync", "arguments": {"id": 5}}')  # no newline needed either
    r = agent.line()
    check(r == {"return": 5}, "0xFF discards a partial request", str(r))
    big = b'{"execute": "guest-ping", "arguments": {"pad": "' + b"x" * (200 * 1024) + b'"}}\n'
    agent.send(big)
    r = agent.line()
    check("too long" in r.get("error", {}).get("desc", ""), "a 200 KiB request is refused", str(r))
    r = agent.cmd("guest-ping")
    check(r == {"return": {}}, "and the next request is served", str(r))

    # 6. guest-exec with separate stdout/stderr and an exit code
    pid, st, polls = exec_wait(agent, "/bin/sh", ["-c", "echo hi; echo err >&2; exit 3"])
    ok = st.get("exitcode") == 3 and b64(st.get("out-data")) == b"hi\n" and b64(st.get("err-data")) == b"err\n" \
        and st.get("out-truncated") is False and st.get("err-truncated") is False
    check(ok, "guest-exec sh -c 'echo hi; echo err >&2; exit 3': exitcode 3, out 'hi\\n', err 'err\\n' (%d status polls)" % polls, str(st))
    r = agent.cmd("guest-exec-status", {"pid": pid})
    check("error" in r, "an exited status is handed out once, then the pid is unknown", str(r))

    # 7. stdin, env, signals
    data = bytes(range(256)) * 64  # 16 KiB, binary
    pid, st, _ = exec_wait(agent, "/bin/cat", [], **{"input-data": base64.b64encode(data).decode()})
    check(b64(st.get("out-data")) == data and st.get("exitcode") == 0, "input-data reaches stdin (16 KiB through cat)", str(st)[:200])
    pid, st, _ = exec_wait(agent, "/bin/sh", ["-c", 'echo "$FOO"'], env=["FOO=bar", "PATH=/bin"])
    check(b64(st.get("out-data")) == b"bar\n", "env replaces the environment", str(st))
    pid, st, _ = exec_wait(agent, "/bin/sh", ["-c", "kill -9 $$"])
    check(st.get("signal") == 9 and "exitcode" not in st, "a killed command reports signal 9", str(st))

    # 8. a long command does not block the agent
    r = agent.cmd("guest-exec", {"path": "/bin/sleep", "arg": ["30"], "capture-output": True})
    long_pid = r.get("return", {}).get("pid")
    st = agent.cmd("guest-exec-status", {"pid": long_pid})
    check(st.get("return") == {"exited": False}, "sleep 30: exited false while it runs", str(st))
    t0 = time.monotonic()
    pings = [agent.cmd("guest-ping", timeout=5) for _ in range(5)]
    ms = (time.monotonic() - t0) * 1000 / 5
    check(all(p == {"return": {}} for p in pings), "pings answer while sleep 30 runs (%.0f ms each)" % ms, str(pings))

    # 9. 2 MiB of output: 1 MiB kept, out-truncated
    pid, st, _ = exec_wait(agent, "/bin/sh", ["-c", "yes hello | head -c 2097152; echo done >&2"])
    out = b64(st.get("out-data"))
    check(st.get("out-truncated") is True and len(out) == 1 << 20 and out.startswith(b"hello\n") and st.get("exitcode") == 0
          and b64(st.get("err-data")) == b"done\n" and st.get("err-truncated") is False,
          "2 MiB of stdout: out-truncated, 1 MiB kept, exit 0", "len %d %s" % (len(out), {k: v for k, v in st.items() if k != "out-data"}))

    # 10. the exec table is bounded (16); fill it with short sleeps
    fillers, refused = [], None
    for _ in range(20):
        r = agent.cmd("guest-exec", {"path": "/bin/sleep", "arg": ["2"]})
        if "return" in r:
            fillers.append(r["return"]["pid"])
        else:
            refused = r
            break
    check(refused is not None and len(fillers) == 15, "at most 16 guest-exec at once (%d more started, then refused)" % len(fillers), str(refused))
    for p in fillers:  # collect them: frees their slots
        deadline = time.monotonic() + 60
        while not agent.cmd("guest-exec-status", {"pid": p}).get("return", {}).get("exited"):
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
    pid, st, _ = exec_wait(agent, "/bin/kill", [str(long_pid)])
    _, st, _ = exec_wait(agent, "/bin/true")  # a slot is free again
    deadline = time.monotonic() + 20
    while True:
        st = agent.cmd("guest-exec-status", {"pid": long_pid}).get("return", {})
        if st.get("exited") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(st.get("signal") == 15, "sleep 30 killed (signal 15) once slots were free", str(st))

    # 11. reconnect
    agent.close()
    time.sleep(0.5)
    agent = Agent(opts.socket)
    t0 = time.monotonic()
    delim, r = agent.sync_delimited(777)
    check(delim and r == {"return": 777}, "reconnect: guest-sync-delimited answers again (%.0f ms)" % ((time.monotonic() - t0) * 1000), str(r))
    check(agent.cmd("guest-ping") == {"return": {}}, "reconnect: guest-ping")
    # a request cut off by a disconnect does not poison the next connection
    # (the guest must see the hangup: a host that reconnects at once sends 0xFF first, as above)
    agent.send(b'{"execute": "guest-ping", "argum')
    time.sleep(0.3)
    agent.close()
    time.sleep(1.0)
    agent = Agent(opts.socket)
    r = agent.cmd("guest-sync", {"id": 9})
    check(r == {"return": 9}, "a request cut off by a disconnect is dropped", str(r))
    agent.close()

    print("%s: %d check(s) failed" % ("FAILED" if failures else "PASSED", failures))
    return 1 if failures else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a hang or a dead socket is a failure too
        print("FAIL %s: %s" % (type(e).__name__, e))
        sys.exit(1)
