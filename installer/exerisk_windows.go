package installer

// programHome is where the warning about the program's location suggests
// installing it instead.
const programHome = `C:\Program Files\Clearance`
