//! `herald rekey`: after `HERALD_ENCRYPTION_KEY` changed (the old key moved to
//! `HERALD_ENCRYPTION_KEYS`), seals every stored secret under the current key, one short
//! transaction per batch, while Herald keeps serving. Run it once every process has the new
//! key; when it reports nothing unreadable, the old key can leave `HERALD_ENCRYPTION_KEYS`.

use std::process::ExitCode;

use herald_store::Store;

pub async fn run(store: Store, batch_size: u32) -> anyhow::Result<ExitCode> {
    let (mut after, mut resealed, mut current, mut unreadable) = (None, 0, 0, 0);
    loop {
        let batch = store.rekey_batch(after, batch_size).await?;
        for (id, error) in &batch.unreadable {
            eprintln!("herald: subscription {id} cannot be re-sealed: {error}");
        }
        let rows = batch.resealed + batch.current + batch.unreadable.len();
        resealed += batch.resealed;
        current += batch.current;
        unreadable += batch.unreadable.len();
        after = batch.last;
        if rows < batch_size as usize {
            break;
        }
    }
    println!(
        "re-sealed {resealed} subscriptions under HERALD_ENCRYPTION_KEY ({current} already were)"
    );
    if unreadable > 0 {
        eprintln!(
            "herald: {unreadable} subscriptions open with no key given; keep HERALD_ENCRYPTION_KEYS until they are fixed or deleted"
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
