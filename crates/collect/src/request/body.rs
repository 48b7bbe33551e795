//! Request bodies (container, service, exec, update, volume) read as dockerd reads them.
