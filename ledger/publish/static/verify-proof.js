// Checks, in the reader's browser, that this claim's ledger entries are in the newsroom's signed
// checkpoint: the Ed25519 signature on the checkpoint note (C2SP signed note), each entry's
// SHA-256, and its RFC 9162 inclusion proof against the checkpoint's Merkle root. WebCrypto
// does the hashing and the signature; the rest is the RFC's verification algorithm.
(function () {
  "use strict";
  const enc = new TextEncoder();

  function fromHex(h) {
    if (!/^([0-9a-f]{2})*$/.test(h)) throw new Error("not hex");
    const out = new Uint8Array(h.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
    return out;
  }
  function fromB64(s) {
    const bin = atob(s);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  }
  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let i = 0;
    for (const p of parts) { out.set(p, i); i += p.length; }
    return out;
  }
  function same(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  const node = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

  async function verifyNote(note, verifier) {
    // NAME+HASH+BASE64, where only the base64 may hold a "+".
    const a = verifier.indexOf("+"), b = verifier.indexOf("+", a + 1);
    if (a < 1 || b < 0) throw new Error("the verifier key is not NAME+HASH+KEY");
    const name = verifier.slice(0, a), keyHash = verifier.slice(a + 1, b), keyB64 = verifier.slice(b + 1).trim();
    const key = fromB64(keyB64);
    if (key.length !== 33 || key[0] !== 1) throw new Error("the key is not an Ed25519 note key");
    const expected = (await sha256(concat(enc.encode(name + "\n"), key))).slice(0, 4);
    if (!same(expected, fromHex(keyHash))) throw new Error("the key's hash does not match it");
    const cut = note.lastIndexOf("\n\n");
    if (cut < 0) throw new Error("the checkpoint is not a signed note");
    const text = note.slice(0, cut + 1);
    const pub = await crypto.subtle.importKey("raw", key.slice(1), { name: "Ed25519" }, false, ["verify"]);
    for (const line of note.slice(cut + 2).split("\n")) {
      const m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const sig = fromB64(m[2]);
      if (!same(sig.slice(0, 4), expected)) continue;
      if (await crypto.subtle.verify({ name: "Ed25519" }, pub, sig.slice(4), enc.encode(text))) {
        return text;
      }
      throw new Error("the checkpoint's signature does not verify");
    }
    throw new Error("the checkpoint has no signature by " + name);
  }

  async function verifyInclusion(index, size, leaf, path, root) {
    if (index < 0 || index >= size) return false;
    let fn = index, sn = size - 1, r = leaf;
    for (const p of path) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        r = await node(p, r);
        while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      } else {
        r = await node(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 && same(r, root);
  }

  async function check(data) {
    if (data.error) throw new Error(data.error);
    const text = await verifyNote(data.checkpoint, data.verifier);
    const [origin, sizeLine, rootB64] = text.split("\n");
    const size = Number(sizeLine), root = fromB64(rootB64);
    if (!data.proofs.length) throw new Error("no entry of this claim is in the checkpoint yet");
    for (const p of data.proofs) {
      const entryHash = await sha256(enc.encode(p.entry));
      if (!same(entryHash, fromHex(p.entry_hash))) throw new Error(p.table + " " + p.row_id + ": its content does not hash to its entry");
      const body = JSON.parse(p.entry);
      if (body._table !== p.table || body.id !== p.row_id) throw new Error(p.row_id + ": the entry is another row");
      if (p.tree_size !== size) throw new Error(p.row_id + ": proven in another tree");
      const leaf = await sha256(concat(Uint8Array.of(0), entryHash));
      const ok = await verifyInclusion(p.leaf_index, size, leaf, p.inclusion_path.map(fromHex), root);
      if (!ok) throw new Error(p.table + " " + p.row_id + ": not included in the checkpoint's tree");
    }
    return { origin, size, count: data.proofs.length };
  }

  async function main() {
    const data_el = document.getElementById("fl-proof");
    const out = document.getElementById("fl-proof-status");
    if (!data_el || !out) return;
    try {
      const r = await check(JSON.parse(data_el.textContent));
      out.textContent = "Verified against checkpoint " + r.size + " of " + r.origin + ": all " +
        r.count + " entries of this claim are in the signed ledger.";
      out.className = "fl-proof-ok";
    } catch (e) {
      out.textContent = "Not verified: " + (e && e.message ? e.message : e);
      out.className = "fl-proof-failed";
    }
    out.dataset.state = out.className;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", main);
  else main();
})();
