// The service whose plans are shown; kept while the user moves between the plan list and a
// plan's page.

export const plansState = $state({ serviceId: null as string | null });
