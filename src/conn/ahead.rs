//! Commands sent ahead of their turn: one flight of commands whose replies the caller will
//! ask for in the same order, so a run of introspection costs one round trip instead of one
//! each. [`Connection::call`] takes a reply from the flight when its command is the next one
//! there; any other command first reads (and drops) the replies still on their way, so a
//! caller that takes another path gets exactly what it would have without the flight.

use std::io::Write;

use redis::Cmd;

use super::{Connection, WireError};

impl Connection {
    /// Sends `cmds` in one write; their replies wait on the wire until [`Connection::call`]
    /// asks for the same commands in the same order. Only for commands that change nothing
    /// the caller would not have changed anyway (the caller's own next commands).
    pub fn send_ahead(&mut self, cmds: &[Cmd]) -> Result<(), WireError> {
        if cmds.is_empty() {
            return Ok(());
        }
        self.settle()?;
        let mut bytes = Vec::new();
        for cmd in cmds {
            cmd.write_packed_command(&mut bytes);
        }
        self.arm()?;
        self.io.write_all(&bytes).map_err(WireError::Io)?;
        self.io.flush().map_err(WireError::Io)?;
        self.ahead.extend(cmds.iter().map(Cmd::get_packed_command));
        Ok(())
    }

    /// Whether `packed` is the next command of the flight (its reply is the next on the wire).
    pub(super) fn take_ahead(&mut self, packed: &[u8]) -> bool {
        if self.ahead.front().is_some_and(|next| next == packed) {
            self.ahead.pop_front();
            true
        } else {
            false
        }
    }

    /// Reads and drops the replies of the flight still on their way, so the next reply on
    /// the wire is the next command's.
    pub(super) fn settle(&mut self) -> Result<(), WireError> {
        while !self.ahead.is_empty() {
            let read = self.read();
            self.ahead.pop_front();
            if let Err(e) = read {
                self.ahead.clear();
                return Err(e);
            }
        }
        Ok(())
    }
}
