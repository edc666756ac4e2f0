pub mod layout;
pub mod procedure_card;
pub mod table;
