// tlog_check reads a ledger served as C2SP tlog-tiles files, with a JSON of roots,
// proofs and a signed checkpoint (all written by tests/interop/test_go_tlog.py), and
// checks them with golang.org/x/mod's sumdb/tlog and sumdb/note: code written apart
// from ours. Each check prints "ok <name>: ..." or "FAIL <name>: ..."; the exit status is
// 1 if any failed. It also feeds tlog tampered tiles, roots and notes and fails unless
// those are rejected, so a pass cannot come from checks that accept anything.
//
// Built offline against Debian's golang-golang-x-mod-dev:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= go build tlog_check.go
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8 // C2SP tlog-tiles fixes the tile height at 8

type checkpoint struct {
	Size int64     `json:"size"`
	Root tlog.Hash `json:"root"`
}

type input struct {
	Origin      string       `json:"origin"`
	Size        int64        `json:"size"`
	Root        tlog.Hash    `json:"root"`
	Checkpoints []checkpoint `json:"checkpoints"` // earlier trees whose tiles are served too
	Inclusion   []struct {
		Index int64            `json:"index"`
		Size  int64            `json:"size"`
		Root  tlog.Hash        `json:"root"`
		Proof tlog.RecordProof `json:"proof"`
	} `json:"inclusion"`
	Consistency []struct {
		Old     int64          `json:"old"`
		New     int64          `json:"new"`
		OldRoot tlog.Hash      `json:"old_root"`
		NewRoot tlog.Hash      `json:"new_root"`
		Proof   tlog.TreeProof `json:"proof"`
	} `json:"consistency"`
	Note      string `json:"note"` // the signed checkpoint of (Origin, Size, Root)
	VKey      string `json:"vkey"`
	Witnesses []struct {
		Name      string `json:"name"`
		Public    []byte `json:"public"`
		Timestamp uint64 `json:"timestamp"`
	} `json:"witnesses"` // each must have cosigned the note, at its timestamp
}

// x/mod names tiles tile/H/L/N and entry bundles tile/H/data/N; C2SP drops the height,
// which is always 8, and calls the data level "entries".
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", height))
	if strings.HasPrefix(p, "data/") {
		return "tile/entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

func goPath(c2sp string) string {
	rest := strings.TrimPrefix(c2sp, "tile/")
	if strings.HasPrefix(rest, "entries/") {
		rest = "data/" + strings.TrimPrefix(rest, "entries/")
	}
	return fmt.Sprintf("tile/%d/%s", height, rest)
}

// fileTiles is a tlog.TileReader over the served files; tamper, if set, may change what
// it hands tlog.
type fileTiles struct {
	dir    string
	tamper func(t tlog.Tile, data []byte)
}

func (r *fileTiles) Height() int { return height }

func (r *fileTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := os.ReadFile(filepath.Join(r.dir, filepath.FromSlash(c2spPath(t))))
		if err != nil {
			return nil, err
		}
		if r.tamper != nil {
			r.tamper(t, data)
		}
		out[i] = data
	}
	return out, nil
}

func (r *fileTiles) SaveTiles([]tlog.Tile, [][]byte) {}

// cosigVerifier checks c2sp.org/tlog-cosignature/v1 signatures, which note.Open hands it
// as timestamp (8 bytes) || Ed25519 signature once it has matched name and key hash.
type cosigVerifier struct {
	name      string
	key       ed25519.PublicKey
	timestamp uint64
}

func (v *cosigVerifier) Name() string { return v.name }

func (v *cosigVerifier) KeyHash() uint32 {
	sum := sha256.Sum256(append([]byte(v.name+"\n\x04"), v.key...))
	return binary.BigEndian.Uint32(sum[:4])
}

func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize || len(v.key) != ed25519.PublicKeySize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	signed := fmt.Sprintf("cosignature/v1\ntime %d\n%s", t, msg)
	if !ed25519.Verify(v.key, []byte(signed), sig[8:]) {
		return false
	}
	v.timestamp = t
	return true
}

var failed bool

func report(name string, err error, detail string) {
	if err != nil {
		failed = true
		fmt.Printf("FAIL %s: %v\n", name, err)
		return
	}
	fmt.Printf("ok %s: %s\n", name, detail)
}

// mustReject is an error unless err is one: tlog must refuse the tampered input.
func mustReject(what string, err error) error {
	if err == nil {
		return fmt.Errorf("accepted %s", what)
	}
	return nil
}

// badSignature is an error unless note.Open refused the note for a signature that does
// not verify (not, say, for want of a known key, which would prove nothing).
func badSignature(what string, err error) error {
	var invalid *note.InvalidSignatureError
	if !errors.As(err, &invalid) {
		return fmt.Errorf("%s: want an invalid signature, got %v", what, err)
	}
	return nil
}

func readBundle(data []byte, want int) ([][]byte, error) {
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, errors.New("truncated entry length")
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, errors.New("truncated entry")
		}
		entries = append(entries, data[2:2+n])
		data = data[2+n:]
	}
	if len(entries) != want {
		return nil, fmt.Errorf("%d entries, want %d", len(entries), want)
	}
	return entries, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tlog_check DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	raw, err := os.ReadFile(filepath.Join(dir, "check.json"))
	if err != nil {
		fmt.Println("FAIL input:", err)
		os.Exit(1)
	}
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		fmt.Println("FAIL input:", err)
		os.Exit(1)
	}
	trees := append(append([]checkpoint{}, in.Checkpoints...), checkpoint{in.Size, in.Root})
	tiles := &fileTiles{dir: dir}

	// Every served path is one x/mod parses as canonical, and names the file it came from.
	var hashTiles, bundles []tlog.Tile
	err = filepath.Walk(filepath.Join(dir, "tile"), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		t, err := tlog.ParseTilePath(goPath(rel))
		if err != nil {
			return err
		}
		if t.H != height || c2spPath(t) != rel {
			return fmt.Errorf("%s parses as %v", rel, t)
		}
		if t.L >= 0 {
			hashTiles = append(hashTiles, t)
		} else {
			bundles = append(bundles, t)
		}
		return nil
	})
	report("paths", err, fmt.Sprintf("%d hash tiles and the entry bundles parse as x/mod tiles", len(hashTiles)))

	// The entries, from the bundles x/mod's data tiles name, hashed by tlog into the
	// hashes a tlog server would store (tlog.StoredHashes).
	var entries [][]byte
	err = nil
	for n := int64(0); n*256 < in.Size && err == nil; n++ {
		w := in.Size - n*256
		if w > 256 {
			w = 256
		}
		t := tlog.Tile{H: height, L: -1, N: n, W: int(w)}
		var data []byte
		if data, err = os.ReadFile(filepath.Join(dir, c2spPath(t))); err == nil {
			var got [][]byte
			if got, err = readBundle(data, int(w)); err != nil {
				err = fmt.Errorf("%s: %v", c2spPath(t), err)
			}
			entries = append(entries, got...)
		}
	}
	var stored []tlog.Hash
	memory := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x >= int64(len(stored)) {
				return nil, fmt.Errorf("no stored hash %d", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	for i := 0; i < len(entries) && err == nil; i++ {
		var hs []tlog.Hash
		hs, err = tlog.StoredHashes(int64(i), entries[i], memory)
		stored = append(stored, hs...)
	}
	// The bundles of earlier trees (narrower partial ones) hold the same entries.
	for _, t := range bundles {
		if err != nil {
			break
		}
		data, _ := os.ReadFile(filepath.Join(dir, c2spPath(t)))
		got, e := readBundle(data, t.W)
		start := t.N * 256
		for i := 0; e == nil && i < len(got); i++ {
			if start+int64(i) >= int64(len(entries)) || !bytes.Equal(got[i], entries[start+int64(i)]) {
				e = fmt.Errorf("entry %d differs from the final tree's", start+int64(i))
			}
		}
		if e != nil {
			err = fmt.Errorf("%s: %v", c2spPath(t), e)
		}
	}
	report("entries", err, fmt.Sprintf("%d entries read from %d bundles and hashed with tlog.RecordHash", len(entries), len(bundles)))
	if err != nil {
		os.Exit(1)
	}

	// Every hash tile byte for byte as tlog.ReadTileData makes it from the entries.
	err = nil
	for _, t := range hashTiles {
		want, e := tlog.ReadTileData(t, memory)
		got, _ := os.ReadFile(filepath.Join(dir, c2spPath(t)))
		if e != nil {
			err = fmt.Errorf("%s: %v", c2spPath(t), e)
		} else if !bytes.Equal(got, want) {
			err = fmt.Errorf("%s differs from tlog.ReadTileData", c2spPath(t))
		}
		if err != nil {
			break
		}
	}
	report("tiles", err, fmt.Sprintf("%d hash tiles equal tlog.ReadTileData", len(hashTiles)))

	// Each root: tlog.TreeHash from the entries, and from the tiles through
	// tlog.TileHashReader, which authenticates each tile it reads against the root.
	err = nil
	for _, c := range trees {
		th, e := tlog.TreeHash(c.Size, memory)
		if e == nil && th != c.Root {
			e = fmt.Errorf("tree %d: tlog.TreeHash %v, given root %v", c.Size, th, c.Root)
		}
		if e == nil {
			th, e = tlog.TreeHash(c.Size, tlog.TileHashReader(tlog.Tree{N: c.Size, Hash: c.Root}, tiles))
			if e == nil && th != c.Root {
				e = fmt.Errorf("tree %d: from tiles %v, given root %v", c.Size, th, c.Root)
			}
		}
		if err = e; err != nil {
			break
		}
	}
	report("tree-hash", err, fmt.Sprintf("%d roots equal tlog.TreeHash from entries and from tiles", len(trees)))

	// The level-0 tiles hold tlog.RecordHash of each entry: read through TileHashReader.
	final := tlog.TileHashReader(tlog.Tree{N: in.Size, Hash: in.Root}, tiles)
	indexes := make([]int64, len(entries))
	for i := range indexes {
		indexes[i] = tlog.StoredHashIndex(0, int64(i))
	}
	leafHashes, err := final.ReadHashes(indexes)
	for i := 0; err == nil && i < len(entries); i++ {
		if leafHashes[i] != tlog.RecordHash(entries[i]) {
			err = fmt.Errorf("leaf %d: tile holds %v, tlog.RecordHash %v", i, leafHashes[i], tlog.RecordHash(entries[i]))
		}
	}
	report("record-hashes", err, fmt.Sprintf("%d leaf hashes read through tlog.TileHashReader equal tlog.RecordHash", len(entries)))

	// Our inclusion proofs pass tlog.CheckRecord and are the ones tlog.ProveRecord makes
	// from our tiles.
	err = nil
	for _, p := range in.Inclusion {
		e := tlog.CheckRecord(p.Proof, p.Size, p.Root, p.Index, tlog.RecordHash(entries[p.Index]))
		if e == nil {
			var mine tlog.RecordProof
			mine, e = tlog.ProveRecord(p.Size, p.Index, tlog.TileHashReader(tlog.Tree{N: p.Size, Hash: p.Root}, tiles))
			if e == nil && fmt.Sprint(mine) != fmt.Sprint(p.Proof) {
				e = errors.New("differs from tlog.ProveRecord")
			}
		}
		if e != nil {
			err = fmt.Errorf("record %d in tree %d: %v", p.Index, p.Size, e)
			break
		}
	}
	report("inclusion", err, fmt.Sprintf("%d proofs pass tlog.CheckRecord and equal tlog.ProveRecord", len(in.Inclusion)))

	err = nil
	for _, p := range in.Consistency {
		e := tlog.CheckTree(p.Proof, p.New, p.NewRoot, p.Old, p.OldRoot)
		if e == nil {
			var mine tlog.TreeProof
			mine, e = tlog.ProveTree(p.New, p.Old, tlog.TileHashReader(tlog.Tree{N: p.New, Hash: p.NewRoot}, tiles))
			if e == nil && fmt.Sprint(mine) != fmt.Sprint(p.Proof) {
				e = errors.New("differs from tlog.ProveTree")
			}
		}
		if e != nil {
			err = fmt.Errorf("tree %d to %d: %v", p.Old, p.New, e)
			break
		}
	}
	report("consistency", err, fmt.Sprintf("%d proofs pass tlog.CheckTree and equal tlog.ProveTree", len(in.Consistency)))

	// The signed checkpoint: the log's Ed25519 signature through note.NewVerifier, the
	// witness's cosignature/v1 through cosigVerifier, both by note.Open.
	server, err := note.NewVerifier(in.VKey)
	serverName := "no server key"
	if err == nil {
		serverName = server.Name()
	}
	if len(in.Witnesses) == 0 {
		fmt.Println("FAIL note: check.json names no witness")
		os.Exit(1)
	}
	cosigners := make([]*cosigVerifier, len(in.Witnesses))
	all := []note.Verifier{}
	for i, w := range in.Witnesses {
		cosigners[i] = &cosigVerifier{name: w.Name, key: ed25519.PublicKey(w.Public)}
		all = append(all, cosigners[i])
	}
	witness := cosigners[0]
	var verifiers note.Verifiers
	if err == nil {
		verifiers = note.VerifierList(append([]note.Verifier{server}, all...)...)
		var n *note.Note
		if n, err = note.Open([]byte(in.Note), verifiers); err == nil {
			lines := strings.Split(n.Text, "\n")
			switch {
			case len(n.Sigs) != 1+len(cosigners):
				err = fmt.Errorf("%d verified signatures, want %d", len(n.Sigs), 1+len(cosigners))
			case len(lines) < 4 || lines[0] != in.Origin || lines[1] != strconv.FormatInt(in.Size, 10) || lines[2] != in.Root.String():
				err = fmt.Errorf("checkpoint text %q is not of %s, %d, %v", n.Text, in.Origin, in.Size, in.Root)
			}
			for i, c := range cosigners {
				if err == nil && c.timestamp != in.Witnesses[i].Timestamp {
					err = fmt.Errorf("%s cosigned at %d, want %d", c.name, c.timestamp, in.Witnesses[i].Timestamp)
				}
			}
		}
	}
	report("note", err, fmt.Sprintf("checkpoint signed by %s and cosigned by %d witnesses, %s at %d first", serverName, len(cosigners), witness.name, witness.timestamp))

	// And tlog and note refuse what has been tampered with.
	err = nil
	flip := func(h tlog.Hash) tlog.Hash { h[0] ^= 1; return h }
	fail := func(e error) {
		if err == nil {
			err = e
		}
	}
	// A changed byte at the end of every tile breaks the hashes TreeHash reads.
	everyTile := &fileTiles{dir: dir, tamper: func(t tlog.Tile, data []byte) { data[len(data)-1] ^= 1 }}
	_, e := tlog.TreeHash(in.Size, tlog.TileHashReader(tlog.Tree{N: in.Size, Hash: in.Root}, everyTile))
	fail(mustReject("tampered tiles for the root", e))
	// A tampered tile inside the tree, as the go command meets one: a proof made from the
	// tiles, then checked. (Not ReadHashes alone: x/mod 0.7.0's TileHashReader skips
	// authenticating such tiles whenever the root's subtrees share a tile.)
	for _, level := range []int{0, 1} {
		bad := &fileTiles{dir: dir, tamper: func(t tlog.Tile, data []byte) {
			if t.L == level && t.N == 0 {
				data[len(data)-1] ^= 1
			}
		}}
		hr := tlog.TileHashReader(tlog.Tree{N: in.Size, Hash: in.Root}, bad)
		p, e := tlog.ProveRecord(in.Size, 0, hr)
		if e == nil {
			e = tlog.CheckRecord(p, in.Size, in.Root, 0, tlog.RecordHash(entries[0]))
		}
		fail(mustReject(fmt.Sprintf("a proof through a tampered level-%d tile", level), e))
	}
	_, e = tlog.TreeHash(in.Size, tlog.TileHashReader(tlog.Tree{N: in.Size, Hash: flip(in.Root)}, tiles))
	fail(mustReject("tiles under a wrong root", e))
	if len(in.Inclusion) > 0 {
		p := in.Inclusion[0]
		leaf := tlog.RecordHash(entries[p.Index])
		fail(mustReject("an inclusion proof under a wrong root", tlog.CheckRecord(p.Proof, p.Size, flip(p.Root), p.Index, leaf)))
		fail(mustReject("an inclusion proof of another record", tlog.CheckRecord(p.Proof, p.Size, p.Root, p.Index, tlog.RecordHash([]byte("forged")))))
	}
	if len(in.Consistency) > 0 {
		p := in.Consistency[0]
		fail(mustReject("a consistency proof to a wrong root", tlog.CheckTree(p.Proof, p.New, flip(p.NewRoot), p.Old, p.OldRoot)))
	}
	forged := strings.Replace(in.Note, fmt.Sprintf("\n%d\n", in.Size), fmt.Sprintf("\n%d\n", in.Size+1), 1)
	_, e = note.Open([]byte(forged), verifiers)
	fail(badSignature("a checkpoint whose size was changed", e))
	// The witness's line with its timestamp moved on a second: the signature covers it.
	lines := strings.SplitAfter(in.Note, "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "\u2014 "+witness.name+" ") {
			sig, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.SplitN(line, " ", 3)[2]))
			if len(sig) == 4+8+ed25519.SignatureSize {
				sig[4+7] ^= 1
				lines[i] = "\u2014 " + witness.name + " " + base64.StdEncoding.EncodeToString(sig) + "\n"
				_, e = note.Open([]byte(strings.Join(lines, "")), note.VerifierList(witness))
				fail(badSignature("a cosignature whose timestamp was changed", e))
			} else {
				fail(errors.New("the cosignature is not key id, timestamp and signature"))
			}
		}
	}
	report("rejects-tampering", err, "tampered tiles, wrong roots, a forged record, a changed checkpoint and cosignature are refused")

	if failed {
		os.Exit(1)
	}
}
