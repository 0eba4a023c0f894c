#!/usr/bin/env node
// Launches tslab's kernel (what node_modules/.bin/tslab does) with one fix: no output message is lost.
//
// Why: tslab sends every stdout/stderr chunk and display update with zeromq's `Publisher.send()` without
// awaiting it. zeromq 6 only allows one send in flight; once its fast path is exhausted (a burst of a few
// hundred console.log lines) further sends fail with "Socket is busy writing" and the promise rejection
// is swallowed, so lines silently vanish from the notebook (measured here: 187 of 1000 lines kept).
// Chaining the sends keeps every message and their order, including the final "idle" status, which
// tells the client the cell's output is complete; an unbounded send queue keeps PUB from dropping any.
"use strict";
const { dirname } = require("node:path");

const tslabDir = dirname(require.resolve("tslab/package.json"));
// The same zeromq module instance tslab itself will load.
const zmq = require(require.resolve("zeromq", { paths: [tslabDir] }));
const send = zmq.Publisher.prototype.send;
const pending = new WeakMap();

// Second fix: tslab starts its receive loops before it binds its sockets (it awaits the five binds together), and
// zeromq 6 rejects a receive or send on a socket while a bind is in flight ("Socket is blocked by a bind or unbind
// operation", EBUSY). On a loaded machine that race killed the shell loop at startup once in CI: the kernel never
// answered kernel_info. So every receive and send of the kernel's sockets waits until that socket is bound (tslab
// binds every socket it creates; this script runs only as the kernel).
const bound = new WeakMap();
function boundPromise(socket) {
  let entry = bound.get(socket);
  if (!entry) {
    let resolve;
    entry = { promise: new Promise((r) => (resolve = r)), resolve };
    bound.set(socket, entry);
  }
  return entry;
}
const redefine = (proto, name, value) => Object.defineProperty(proto, name, { value, writable: true, configurable: true });
for (const Class of [zmq.Router, zmq.Reply, zmq.Publisher]) {
  const proto = Class.prototype;
  const bind = proto.bind;
  redefine(proto, "bind", function (address) {
    const result = bind.call(this, address);
    const entry = boundPromise(this);
    // A failed bind is tslab's error to report; the waiting calls then fail on their own.
    result.then(entry.resolve, entry.resolve);
    return result;
  });
  if (typeof proto.receive === "function") {
    const receive = proto.receive;
    redefine(proto, "receive", function () {
      return boundPromise(this).promise.then(() => receive.call(this));
    });
  }
  if (Class !== zmq.Publisher) {
    const sendReply = proto.send;
    redefine(proto, "send", function (message) {
      // Once the socket is closed (kernel shutdown: tslab still answers the shutdown request as it closes), a send can
      // only fail with EBADF "Socket is closed" and nobody is listening: skip it instead of printing that error.
      return boundPromise(this).promise.then(() => (this.closed ? undefined : sendReply.call(this, message)));
    });
  }
}

function sendInOrder(message) {
  const previous = pending.get(this) || boundPromise(this).promise;
  const next = previous.then(() => send.call(this, message));
  // A failed send must not block the ones after it; report it on the kernel's own stderr, except after the
  // socket closed (shutdown: tslab still publishes its final "idle" status then, and nobody listens).
  pending.set(
    this,
    next.catch((error) => {
      if (!this.closed) process.__pslKernelStderr(`[psl kernel] dropped an output message: ${error.message}\n`);
    }),
  );
  return next;
}
// zeromq defines `send` read-only (non-writable) on the prototype; redefine it.
Object.defineProperty(zmq.Publisher.prototype, "send", { value: sendInOrder, writable: true, configurable: true });

// A PUB socket drops messages once its queue to a subscriber holds sendHighWaterMark (default 1000) of them,
// which a burst of logging reaches whenever the client reads slower than the cell prints. Unlimited (0)
// instead: output is small text, and losing it is worse. The option must be set before the socket binds,
// so tslab gets a Publisher class that sets it in the constructor.
const Publisher = zmq.Publisher;
class UnboundedPublisher extends Publisher {
  constructor(options) {
    super({ ...options, sendHighWaterMark: 0 });
  }
}
zmq.Publisher = UnboundedPublisher;

// tslab redirects process.stderr.write into the notebook during execution; keep the real one for kernel errors.
const realStderrWrite = process.stderr.write.bind(process.stderr);
process.__pslKernelStderr = (text) => realStderrWrite(text);

require(require.resolve("tslab/dist/main.js", { paths: [tslabDir] })).main();
