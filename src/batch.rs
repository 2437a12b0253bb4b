//! The batch between stages: a polars frame of the 15 spec columns and the bookkeeping
//! columns the stages add, hidden from every published file.

/// Names of the bookkeeping columns that travel with the data through the stages.
pub mod meta {
    /// Source file name.
    pub const FILE: &str = "_file";
    /// Source line or sheet row.
    pub const ROW: &str = "_row";
    /// Whether the row is flagged secret in the source.
    pub const SECRET: &str = "_secret";
    /// Why a row is rejected (null when it is not).
    pub const REJECT: &str = "_reject";
}

/// Bookkeeping columns added by the privacy stage.
pub mod cols {
    /// `publish` or `withhold`.
    pub const ACTION: &str = "_action";
    /// Why a supplier was masked or withheld (null when published as is).
    pub const REASON: &str = "_privacy";
    /// The supplier name as read (for internal review only).
    pub const RAW_NAME: &str = "_raw_leverantor";
    /// The supplier id as read (for internal review only).
    pub const RAW_ID: &str = "_raw_leverantor_id";
}
