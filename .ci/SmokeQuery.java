import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

/** Runs one query with the given credential and prints the first column; exit 1 if login fails. */
public class SmokeQuery {
    public static void main(String[] args) throws Exception {
        try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
             ResultSet rows = c.createStatement().executeQuery(args[3])) {
            rows.next();
            System.out.println(rows.getString(1));
        } catch (java.sql.SQLException e) {
            System.err.println("query failed: SQLSTATE " + e.getSQLState());
            System.exit(1);
        }
    }
}
