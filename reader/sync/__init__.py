"""Reading state across machines, through a folder the user's own tool carries (Syncthing,
Dropbox, a git repository): no server of ours. No Textual here.

Each machine appends its changes (marks, stars, notes, tags, saved searches, and their
removals) to its own journal in the folder (`journal`: a checked line each, synced to disk),
and merges the other machines' journals into its store (`merge`: the last writer wins, field by
field, by a hybrid logical clock (`clock`) that survives skewed clocks; tags added and removed
per tag; a note edited on two machines keeps both texts). `folder.SyncFolder` is one machine's
side of it; `reader.state.StateStore` holds one as `store.sync`.

Import from the modules (`reader.sync.folder` and the rest): this package imports nothing, so
that a store without a sync folder pays nothing for it at startup.
"""
