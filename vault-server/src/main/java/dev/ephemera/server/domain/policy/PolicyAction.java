package dev.ephemera.server.domain.policy;

/** The actions of the Cedar schema that the vault asks policy about. */
public enum PolicyAction {
    START_TASK("StartTask"), LEASE("Lease"), RENEW("Renew"), DELEGATE("Delegate"), CHECK_OUT("CheckOut");

    private final String cedarName;

    PolicyAction(String cedarName) {
        this.cedarName = cedarName;
    }

    public String cedarName() {
        return cedarName;
    }
}
