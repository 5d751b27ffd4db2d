//! Inclusion and consistency proofs (RFC 9162): for a tree of up to 64
//! leaves the proofs the log serves verify, and any other proof — sizes,
//! indices and hashes from the input — is refused or verifies, never
//! panics. The state map's proofs too: the input read as a compact map
//! proof is refused or writes back to the same bytes, and verifies only
//! to what a map of up to 64 titles holds. And the title proofs' readers
//! (issue 20): a title proof in either form, a trust policy, a state
//! checkpoint, a tile path, base45, a witness's add-checkpoint request —
//! refused or read (a state checkpoint and base45 back to the same text),
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sanquan::ledger::merkle::{
    consistency_proof, inclusion_proof, leaf_hash, verify_consistency, verify_inclusion, Hash,
    MemoryTree,
};
use sanquan::ledger::statemap::{key_of, MapProof, StateMap};

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    for (i, x) in data.iter().skip(at).take(8).enumerate() {
        b[i] = *x;
    }
    u64::from_le_bytes(b)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let size = u64::from(data[0] % 64) + 1;
    let index = u64::from(data[1]) % size;
    let old = u64::from(data[2]) % size + 1;
    let leaves: Vec<Hash> = (0..size).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let tree = MemoryTree::new(&leaves);
    let root = tree.root();
    let proof = inclusion_proof(&tree, index, size).expect("a proof");
    assert!(verify_inclusion(&leaves[index as usize], index, size, &proof, &root));
    let old_root = MemoryTree::new(&leaves[..old as usize]).root();
    let consistency = consistency_proof(&tree, old, size).expect("a proof");
    assert!(verify_consistency(old, size, &old_root, &root, &consistency));
    // Proofs from the input, against any sizes.
    let hashes: Vec<Hash> = data[3..]
        .chunks_exact(32)
        .map(|c| c.try_into().expect("32 bytes"))
        .collect();
    let (i, n, m) = (u64_at(data, 3), u64_at(data, 11), u64_at(data, 19));
    let _ = verify_inclusion(&leaves[0], i, n, &hashes, &root);
    let _ = verify_consistency(m, n, &old_root, &root, &hashes);
    if !hashes.is_empty() && hashes != proof {
        assert!(!verify_inclusion(
            &leaves[index as usize],
            index,
            size,
            &hashes,
            &root
        ));
    }
    map_proofs(data);
    title_proofs(data);
});

fn title_proofs(data: &[u8]) {
    use sanquan::ledger::policy::Policy;
    use sanquan::ledger::statelog::StateCheckpoint;
    use sanquan::ledger::tiles::TilePath;
    use sanquan::ledger::titleproof::{base45, unbase45, TitleProof};
    use sanquan::ledger::witness::{add_checkpoint, WitnessState};
    use sanquan::ledger::SignerKey;
    let log = SignerKey::from_seed("sanquan/140421/state", [1; 32]).expect("name");
    let policy = Policy::parse(&format!("log {}\nquorum none\n", log.verifier())).expect("policy");
    if let Ok(p) = TitleProof::from_compact(data, "sanquan/140421/state") {
        let _ = p.verify(&policy);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = TitleProof::from_text(text) {
        let _ = p.verify(&policy);
        let _ = TitleProof::from_text(&p.to_text());
    }
    if let Ok(p) = Policy::parse(text) {
        let _ = Policy::parse(&p.text());
    }
    if let Ok(cp) = StateCheckpoint::parse_text(text) {
        assert_eq!(cp.text(), text);
    }
    let _ = TilePath::parse(text);
    if let Some(bytes) = unbase45(text) {
        assert_eq!(base45(&bytes), text);
    }
    let witness = SignerKey::from_seed("witness.140422", [2; 32]).expect("name");
    let _ = add_checkpoint(&mut WitnessState::default(), &[log.verifier()], &witness, text, 0);
}

fn map_proofs(data: &[u8]) {
    let mut map = StateMap::new();
    let keys: Vec<Hash> = (0..u32::from(data[0] % 64))
        .map(|i| key_of(&i.to_string()))
        .collect();
    for (i, k) in keys.iter().enumerate() {
        if data[2..].get(i).is_none_or(|b| b % 4 != 0) {
            map.set(*k, key_of(&format!("v{i}")));
        }
    }
    let root = map.commit();
    if let Ok(proof) = MapProof::from_bytes(data) {
        assert_eq!(proof.to_bytes(), data);
        for k in keys.iter().take(4) {
            if let Ok(held) = proof.verify(&root, k) {
                assert_eq!(held, map.get(k));
            }
        }
    }
}
