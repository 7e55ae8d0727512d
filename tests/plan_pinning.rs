//! Plan pinning: a file that changes between planning and writing aborts its node, and
//! nothing of that node is written.

mod common;

use std::fs;

use common::{fixture_copy, snapshot};
use wso2_harden::apply::{apply_node, ApplyError};
use wso2_harden::catalog::{Catalog, Values};
use wso2_harden::discover::discover;
use wso2_harden::plan::{plan_home, Settings, TakeAll};

#[test]
fn a_file_changed_after_planning_aborts_the_node() {
    let tmp = fixture_copy(&["apim-2.6.0"]);
    let d = tmp.path();
    let catalog = Catalog::builtin();
    let settings = Settings {
        catalog,
        patches: catalog.select(&[], &[]).unwrap(),
        unsafe_fixes: false,
        cwd: d.to_path_buf(),
        waivers: &wso2_harden::policy::waiver::NONE,
        effective: Default::default(),
    };
    let home = discover(&[d.to_path_buf()]).unwrap().remove(0);
    let values = Values {
        given: [("hostname".to_string(), "gw.example.com".to_string())].into(),
    };
    let node = plan_home(home, &settings, &values, &mut TakeAll);
    assert!(
        node.changed_files().count() >= 4,
        "the plan changes several files"
    );

    // Someone edits one planned file (the last one written) before fix writes.
    let last = node.changed_files().last().unwrap().path.clone();
    let mut edited = fs::read(&last).unwrap();
    edited.extend_from_slice(b"\n");
    fs::write(&last, &edited).unwrap();
    let before = snapshot(d);

    match apply_node(&node, true, None) {
        Err(ApplyError::ChangedSincePlanned(file)) => {
            assert!(
                last.ends_with(file.split('/').next_back().unwrap()),
                "names the file: {file}"
            )
        }
        other => panic!("expected ChangedSincePlanned, got {other:?}"),
    }
    assert_eq!(snapshot(d), before, "nothing of the node was written");
    assert!(
        !d.join(".wso2-harden").exists() && !d.join("apim-2.6.0/.wso2-harden").exists(),
        "no backup set either"
    );
}
